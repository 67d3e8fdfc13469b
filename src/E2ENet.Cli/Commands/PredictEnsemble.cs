using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Postprocessing;
using E2ENet.Data.Preprocessing;
using E2ENet.Onnx.Diagnostics;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// What <c>predict</c> checks of several runs or bundles before ensembling them, and how it reads <c>--postprocess</c>.
    /// Members are averaged tile by tile on one preprocessed image, so they must preprocess alike (the plan fields that shape
    /// the image: channels, normalization and its statistics, axis order, target spacing), tile alike (patch, step, Gaussian
    /// sigma), and predict the same classes under the same names. Mirroring may differ: each member keeps its own.
    /// </summary>
    internal static class PredictEnsemble
    {
        /// <summary>The plan fields that decide what the network sees (camelCase, as plan.json spells them).</summary>
        private static readonly string[] PlanFields =
        {
            "channelNames", "normalization", "useNonzeroMaskForNormalization", "ctStatistics", "labels", "transposeForward", "targetSpacing",
        };

        /// <summary>Refuses members that cannot be averaged: E2E6008 naming the member that differs from the first, and every difference.</summary>
        /// <exception cref="E2ENetOnnxException">E2E6008.</exception>
        public static void RequireAgreement(IReadOnlyList<PredictMember> members)
        {
            PredictMember first = members[0];
            JsonElement firstPlan = JsonSerializer.SerializeToElement(first.Plan, DataJson.Options);
            foreach (PredictMember member in members.Skip(1))
            {
                var differences = new List<string>();
                void Compare(string what, string here, string there)
                {
                    if (here != there) differences.Add($"{what} ({here} here, {there} in {first.Source})");
                }
                Compare("classes", member.Spec.Classes.ToString(CultureInfo.InvariantCulture), first.Spec.Classes.ToString(CultureInfo.InvariantCulture));
                Compare("label names", "[" + string.Join(", ", member.Spec.Labels) + "]", "[" + string.Join(", ", first.Spec.Labels) + "]");
                Compare("input channels", member.Spec.Input.Channels.ToString(CultureInfo.InvariantCulture), first.Spec.Input.Channels.ToString(CultureInfo.InvariantCulture));
                Compare("patch", member.Spec.Input.Patch.ToSizeString(), first.Spec.Input.Patch.ToSizeString());
                Compare("inference.step", member.Spec.Inference.Step.ToString(CultureInfo.InvariantCulture), first.Spec.Inference.Step.ToString(CultureInfo.InvariantCulture));
                Compare("inference.sigma", member.Spec.Inference.Sigma.ToString(CultureInfo.InvariantCulture), first.Spec.Inference.Sigma.ToString(CultureInfo.InvariantCulture));
                JsonElement plan = JsonSerializer.SerializeToElement(member.Plan, DataJson.Options);
                foreach (string field in PlanFields)
                {
                    Compare("plan " + field, Text(plan, field), Text(firstPlan, field));
                }
                if (differences.Count > 0)
                {
                    throw new E2ENetOnnxException(OnnxErrors.EnsembleMismatch, member.Source, string.Format(CultureInfo.InvariantCulture,
                        "cannot be ensembled with {0}: an ensemble averages probabilities of one preprocessed image, tile by tile, and this {1} differs in {2}. "
                        + "Ensemble runs of one model trained on one dataset (other folds or seeds), or predict with each one separately",
                        first.Source, member.PlanPath == first.PlanPath ? "member" : "member (plan " + member.PlanPath + ")", string.Join("; ", differences)));
                }
            }
        }

        private static string Text(JsonElement plan, string field)
            => plan.TryGetProperty(field, out JsonElement value) ? JsonSerializer.Serialize(value) : "(none)";

        /// <summary>
        /// <c>--postprocess</c>: <c>largest-component</c> (per foreground class), <c>largest-foreground</c> (the foreground as a
        /// whole), or a decision file of <c>summarize</c>; null when absent. A usage problem is returned as text.
        /// </summary>
        /// <exception cref="E2ENet.Data.DataException">E4305 for a decision file that is malformed or decided for other labels.</exception>
        public static PostprocessingDecision? Postprocessing(string? text, IReadOnlyList<string> labels, out string? usage)
        {
            usage = null;
            switch (text)
            {
                case null:
                    return null;
                case "largest-component":
                    return PostprocessingDecision.PerClass(labels.Count);
                case "largest-foreground":
                    return PostprocessingDecision.Foreground();
            }
            if (!File.Exists(text))
            {
                usage = $"--postprocess '{text}' is not largest-component, largest-foreground, or a decision file of e2enet summarize (no such file)";
                return null;
            }
            PostprocessingDecision decision = PostprocessingFile.Read(text);
            string? misfit = decision.Misfit(labels);
            if (misfit != null) throw new E2ENet.Data.DataException(E2ENet.Data.DataErrors.PostprocessingInvalid, text, misfit);
            return decision;
        }
    }
}
