namespace MobileViT.Modeling;

/// <summary>
/// Deterministic synthetic weights for every parameter of a variant (Hugging Face names, BatchNorm running statistics
/// included). Convolution and linear weights are Kaiming/LeCun-normal scaled by fan-in so activations keep a sane
/// magnitude; BatchNorm statistics are plausible (mean near 0, variance near 1) so folding is exercised.
/// Uses its own SplitMix64 generator so the output never depends on the runtime's Random implementation.
/// </summary>
internal static class SeededWeightGenerator
{
    public static IReadOnlyDictionary<string, FloatTensor> Generate(MobileViTArchitecture architecture, int seed)
    {
        var random = new SplitMix64((ulong)(uint)seed ^ 0x4D6F62696C655654UL); // "MobileVT"
        var tensors = new Dictionary<string, FloatTensor>(StringComparer.Ordinal);
        foreach (var spec in MobileViTParameterLayout.For(architecture))
            tensors.Add(spec.Name, new FloatTensor(spec.Shape, Draw(spec, ref random)));
        return tensors;
    }

    private static float[] Draw(ParameterSpec spec, ref SplitMix64 random)
    {
        var data = new float[spec.ElementCount];
        var fanIn = spec.Shape.Length > 1 ? spec.ElementCount / spec.Shape[0] : 1;
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(spec.Kind switch
            {
                ParameterKind.ConvWeight => random.NextNormal() * Math.Sqrt(2.0 / fanIn),
                ParameterKind.LinearWeight => random.NextNormal() * Math.Sqrt(1.0 / fanIn),
                ParameterKind.LinearBias => random.NextNormal() * 0.02,
                ParameterKind.BatchNormScale => 1.0 + random.NextNormal() * 0.1,
                ParameterKind.BatchNormShift => random.NextNormal() * 0.1,
                ParameterKind.BatchNormRunningMean => random.NextNormal() * 0.1,
                ParameterKind.BatchNormRunningVar => 0.5 + random.NextDouble(),
                ParameterKind.LayerNormScale => 1.0 + random.NextNormal() * 0.05,
                ParameterKind.LayerNormShift => random.NextNormal() * 0.02,
                _ => throw new ArgumentOutOfRangeException(nameof(spec)),
            });
        }
        return data;
    }

    private struct SplitMix64(ulong state)
    {
        private ulong state = state;

        public ulong NextUInt64()
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Standard normal via Box-Muller (one value per call; simple and deterministic).</summary>
        public double NextNormal()
        {
            var u1 = 1.0 - NextDouble();
            var u2 = NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
