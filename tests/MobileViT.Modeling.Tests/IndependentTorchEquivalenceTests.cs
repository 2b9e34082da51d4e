namespace MobileViT.Modeling.Tests;

/// <summary>
/// MobileViT-S against an independent implementation: Fixtures/mobilevit-s-seed7.torch-logits.f32 are the logits of
/// benchmarks/pytorch-reference/mobilevit_torch.py (plain PyTorch, written apart from this builder) for the seeded S
/// weights (seed 7, written by <c>build-model --save-weights</c>) and the script's probe input, regenerated with:
/// <code>
/// mobilevit build-model --variant s --seed 7 --out /tmp/s7 --save-weights /tmp/s7.safetensors
/// python3 benchmarks/pytorch-reference/mobilevit_torch.py --variant s --weights /tmp/s7.safetensors --logits tests/MobileViT.Modeling.Tests/Fixtures/mobilevit-s-seed7.torch-logits.f32
/// </code>
/// </summary>
public sealed class IndependentTorchEquivalenceTests
{
    private const int Batch = 2;

    [Theory]
    [InlineData("none")]
    [InlineData("portable")]
    [InlineData("onnxruntime")]
    public void SeededS_BuiltGraph_MatchesThePyTorchImplementationWithin2e3(string featureSet)
    {
        var expected = SharedFixtures.ReadFloats(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mobilevit-s-seed7.torch-logits.f32"));
        var model = MobileViTModelFactory.BuildSeeded(MobileViTVariant.S, 7, MobileViTGraphFeatureSets.Parse(featureSet));

        var actual = OnnxTestRunner.RunLogits(model, ProbeInput(), Batch);

        var difference = OnnxTestRunner.MaxAbsDifference(expected, actual);
        Assert.True(difference <= 2e-3f, $"max |logit difference| from PyTorch = {difference}");
        Assert.True(expected.Max() - expected.Min() > 1f, "the reference logits should vary");
    }

    /// <summary>The script's probe input: value i = (i * 2654435761 mod 2^32) / 2^32.</summary>
    private static float[] ProbeInput()
    {
        var values = new float[Batch * 3 * OnnxTestRunner.ImageSize * OnnxTestRunner.ImageSize];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)((uint)((ulong)i * 2654435761UL) / 4294967296.0);
        return values;
    }
}
