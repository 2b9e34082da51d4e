using MobileViT.Modeling.Onnx.Proto;

namespace MobileViT.Modeling.Tests;

/// <summary>
/// Every graph feature keeps the network's function: logits within 1e-4 (max abs) of the graph as first written
/// (<see cref="MobileViTGraphFeatures.None"/>), on the shared fixture (XXS) and on seeded S weights (the widest layout).
/// </summary>
public sealed class GraphFeaturesTests
{
    private const float Tolerance = 1e-4f;

    private static string Fixture(string name) => Path.Combine(SharedFixtures.MobileViTXxsSeed7, name);

    public static TheoryData<string> FeatureSets => new()
    {
        "TokenGemm",
        "TokenGemm,NaturalTokenOrder",
        "TokenGemm,ProjectionsOnTokens",
        "TokenGemm,OrtFusedAttention",
        "portable",
        "onnxruntime",
    };

    [Theory]
    [MemberData(nameof(FeatureSets))]
    public void SharedFixture_Xxs_EachFeatureSetKeepsTheLogitsOfTheUnfeaturedGraph(string featureSet)
    {
        var features = MobileViTGraphFeatureSets.Parse(featureSet);
        var weights = Fixture("model.safetensors");
        var input = SharedFixtures.ReadFloats(Fixture("probe_input.f32"));
        var expected = SharedFixtures.ReadFloats(Fixture("probe_logits.f32"));

        var baseline = OnnxTestRunner.RunLogits(MobileViTModelFactory.BuildFromSafetensors(MobileViTVariant.Xxs, weights, MobileViTGraphFeatures.None), input, batch: 2);
        var featured = OnnxTestRunner.RunLogits(MobileViTModelFactory.BuildFromSafetensors(MobileViTVariant.Xxs, weights, features), input, batch: 2);

        var fromBaseline = OnnxTestRunner.MaxAbsDifference(baseline, featured);
        Assert.True(fromBaseline <= Tolerance, $"{features}: max |logit difference| from the unfeatured graph = {fromBaseline}");
        Assert.True(OnnxTestRunner.MaxAbsDifference(expected, featured) < 1e-3f);
    }

    [Theory]
    [InlineData("portable")]
    [InlineData("onnxruntime")]
    public void SeededS_FeatureSetsKeepTheLogitsOfTheUnfeaturedGraph(string featureSet)
    {
        var features = MobileViTGraphFeatureSets.Parse(featureSet);
        var input = OnnxTestRunner.RandomPixels(batch: 3, seed: 11);

        var baseline = OnnxTestRunner.RunLogits(MobileViTModelFactory.BuildSeeded(MobileViTVariant.S, 7, MobileViTGraphFeatures.None), input, batch: 3);
        var featured = OnnxTestRunner.RunLogits(MobileViTModelFactory.BuildSeeded(MobileViTVariant.S, 7, features), input, batch: 3);

        var difference = OnnxTestRunner.MaxAbsDifference(baseline, featured);
        Assert.True(difference <= Tolerance, $"{features}: max |logit difference| from the unfeatured graph = {difference}");
        Assert.True(baseline.Max() - baseline.Min() > 0.1f, "the logits should vary");
    }

    [Fact]
    public void DefaultOutput_IsStandardOnnx_AndOnlyTheOnnxRuntimeSetImportsComMicrosoft()
    {
        var portable = ModelProto.Parser.ParseFrom(MobileViTModelFactory.BuildFromSafetensors(MobileViTVariant.Xxs, Fixture("model.safetensors")));
        var onnxRuntime = ModelProto.Parser.ParseFrom(MobileViTModelFactory.BuildSeeded(MobileViTVariant.Xxs, 7, MobileViTGraphFeatureSets.OnnxRuntime));

        Assert.Equal(("", 17L), (Assert.Single(portable.OpsetImport).Domain, portable.OpsetImport[0].Version));
        Assert.All(portable.Graph.Node, n => Assert.Equal("", n.Domain));
        Assert.Contains(portable.Graph.Node, n => n.OpType == "Gemm");
        Assert.False(MobileViTGraphFeatureSets.Portable.NeedsOnnxRuntime());

        Assert.Contains(onnxRuntime.OpsetImport, o => o.Domain == "com.microsoft" && o.Version == 1);
        Assert.Equal(9, onnxRuntime.Graph.Node.Count(n => n.Domain == "com.microsoft" && n.OpType == "Attention"));
        Assert.True(MobileViTGraphFeatureSets.OnnxRuntime.NeedsOnnxRuntime());
    }

    [Fact]
    public void FeatureNames_ParseCaseInsensitively_AndIncompatibleOrUnknownOnesAreRefused()
    {
        Assert.Equal(MobileViTGraphFeatures.TokenGemm | MobileViTGraphFeatures.NaturalTokenOrder,
            MobileViTGraphFeatureSets.Parse("tokengemm, NaturalTokenOrder"));
        Assert.Equal(MobileViTGraphFeatures.None, MobileViTGraphFeatureSets.Parse("none"));

        Assert.Contains("Unknown graph feature 'fast'", Assert.Throws<FormatException>(() => MobileViTGraphFeatureSets.Parse("fast")).Message);
        Assert.Throws<ArgumentException>(() => MobileViTGraphFeatureSets.Parse("NaturalTokenOrder"));
        Assert.Throws<ArgumentException>(() => MobileViTGraphFeatureSets.Parse("TokenGemm,NaturalTokenOrder,OrtFusedAttention"));
    }
}
