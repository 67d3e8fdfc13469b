using System.Collections.Generic;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// cases/NAME.json: one preprocessed case's description, written after its arrays (so its presence means they are
    /// complete). <see cref="Key"/> identifies the inputs and settings it was made from; a different key means stale.
    /// </summary>
    public sealed record CaseRecord(
        string Name,
        string Key,
        int[] Shape,
        int Channels,
        CaseGeometry Geometry,
        double[] Affine,
        IReadOnlyList<string> Images,
        string? Label,
        IReadOnlyDictionary<string, int> ForegroundLocations);
}
