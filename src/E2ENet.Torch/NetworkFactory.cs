using System;
using E2ENet.Compiler.Ir;
using E2ENet.Torch.Network;
using TorchSharp;

namespace E2ENet.Torch
{
    /// <summary>
    /// How to build the network of one model: its IR, known before anything is allocated (memory checks, the run folder), and
    /// a constructor called once the random seed is set. For a generated class:
    /// <c>new NetworkFactory(SpleenNet.E2ENetwork, () =&gt; new SpleenNet())</c>; for the run-time network of an IR:
    /// <see cref="RunTime"/>.
    /// </summary>
    public sealed class NetworkFactory
    {
        private readonly Func<IE2ENetNetwork> _create;

        /// <summary>Creates a factory.</summary>
        /// <param name="network">The model's IR (a generated class's static <c>E2ENetwork</c>).</param>
        /// <param name="create">Builds a new, freshly initialised network of that model.</param>
        public NetworkFactory(NetworkIr network, Func<IE2ENetNetwork> create)
        {
            Network = network ?? throw new ArgumentNullException(nameof(network));
            _create = create ?? throw new ArgumentNullException(nameof(create));
        }

        /// <summary>The model's IR.</summary>
        public NetworkIr Network { get; }

        /// <summary>The run-time network of <paramref name="network"/> (<see cref="E2ENetNetwork.Create"/>).</summary>
        public static NetworkFactory RunTime(NetworkIr network) => new NetworkFactory(network, () => E2ENetNetwork.Create(network));

        /// <summary>Builds a new network (its weights drawn from TorchSharp's global generator, as every module's are).</summary>
        /// <exception cref="InvalidOperationException">The constructor returned null.</exception>
        public IE2ENetNetwork Create() => _create() ?? throw new InvalidOperationException("the network factory of " + Network.Spec.Name + " returned no network");

        /// <summary>
        /// Builds a new network at <paramref name="seed"/>: TorchSharp's global generator seeded, then the constructor, as one
        /// step. New modules draw their initial weights from that one process-wide generator, so a network built at a seed is
        /// only reproducible when nothing else draws from it in between: this step, and every run-time network's construction
        /// (<see cref="E2ENetNetwork.Create"/>), hold one process-wide lock, and trainings in one process (tests, a service)
        /// each get exactly their seed's weights.
        /// </summary>
        public IE2ENetNetwork Create(long seed)
        {
            lock (ConstructionLock)
            {
                torch.manual_seed(seed);
                return Create();
            }
        }

        /// <summary>Held while a network is built (reentrant): see <see cref="Create(long)"/>.</summary>
        internal static object ConstructionLock { get; } = new object();
    }
}
