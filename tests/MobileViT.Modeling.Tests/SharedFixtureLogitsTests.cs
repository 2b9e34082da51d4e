using MobileViT.Modeling;

namespace MobileViT.Modeling.Tests;

/// <summary>Uses ../shared/fixtures/mobilevit-xxs-seed7 (an independent reference implementation's weights and outputs).</summary>
public class SharedFixtureLogitsTests
{
    private static string Fixture(string name) => Path.Combine(SharedFixtures.MobileViTXxsSeed7, name);

    [Fact]
    public void SharedFixture_XxsFromSafetensors_ReproducesProbeLogits()
    {
        var model = MobileViTModelFactory.BuildFromSafetensors(MobileViTVariant.Xxs, Fixture("model.safetensors"));
        var input = SharedFixtures.ReadFloats(Fixture("probe_input.f32"));
        var expected = SharedFixtures.ReadFloats(Fixture("probe_logits.f32"));

        var actual = OnnxTestRunner.RunLogits(model, input, batch: 2);

        var maxDiff = OnnxTestRunner.MaxAbsDifference(expected, actual);
        Assert.True(maxDiff < 1e-3f, $"max |logit difference| = {maxDiff}");
    }

    [Fact]
    public void SharedFixture_ReferenceOnnxExport_AgreesWithProbeLogits()
    {
        // Sanity check of the fixture and of the harness: the PyTorch export must reproduce its own probe logits.
        var input = SharedFixtures.ReadFloats(Fixture("probe_input.f32"));
        var expected = SharedFixtures.ReadFloats(Fixture("probe_logits.f32"));
        var actual = OnnxTestRunner.RunLogits(File.ReadAllBytes(Fixture(Path.Combine("onnx", "model.onnx"))), input, batch: 2);
        Assert.True(OnnxTestRunner.MaxAbsDifference(expected, actual) < 1e-3f);
    }

    [Fact]
    public void SharedFixture_SafetensorsNamesAndShapes_MatchXxsLayout()
    {
        var tensors = SafetensorsReader.ReadAll(Fixture("model.safetensors"));
        var layout = MobileViTParameterLayout.For(MobileViTArchitecture.For(MobileViTVariant.Xxs));

        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), layout.Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var spec in layout)
            Assert.Equal(spec.Shape, tensors[spec.Name].Shape);
    }
}
