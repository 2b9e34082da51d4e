using MobileViT.Modeling;
using MobileViT.Modeling.Onnx.Proto;

namespace MobileViT.Modeling.Tests;

public class MobileViTModelFactoryTests
{
    [Theory]
    [InlineData(MobileViTVariant.Xxs, 1_272_024)]
    [InlineData(MobileViTVariant.Xs, 2_317_848)]
    [InlineData(MobileViTVariant.S, 5_578_632)]
    public void ParameterCount_OfEachVariant_MatchesHuggingFaceReference(MobileViTVariant variant, long expected)
    {
        var architecture = MobileViTArchitecture.For(variant);
        var layout = MobileViTParameterLayout.For(architecture);

        // PyTorch's sum(p.numel()): every tensor the graph consumes except BatchNorm running statistics.
        Assert.Equal(expected, MobileViTParameterLayout.CountParameters(layout));
        Assert.Equal(expected, architecture.ReferenceParameterCount);
        Assert.Equal(layout.Count, layout.Select(p => p.Name).Distinct().Count());
    }

    [Theory]
    [InlineData(MobileViTVariant.Xxs)]
    [InlineData(MobileViTVariant.Xs)]
    [InlineData(MobileViTVariant.S)]
    public void SeededModel_FloatInitializers_EqualParametersWithBatchNormFolded(MobileViTVariant variant)
    {
        var architecture = MobileViTArchitecture.For(variant);
        var layout = MobileViTParameterLayout.For(architecture);
        var model = ModelProto.Parser.ParseFrom(MobileViTModelFactory.BuildSeeded(variant, seed: 3));

        // Folding turns each BatchNorm's gamma and beta (2C parameters) into one conv bias (C values).
        var batchNormChannels = layout.Where(p => p.Kind == ParameterKind.BatchNormScale).Sum(p => p.ElementCount);
        var floatElements = model.Graph.Initializer
            .Where(t => t.DataType == (int)TensorProto.Types.DataType.Float)
            .Sum(t => t.Dims.Aggregate(1L, (n, d) => n * d));
        Assert.Equal(architecture.ReferenceParameterCount - batchNormChannels, floatElements);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "BatchNormalization");
    }

    [Fact]
    public void SeededModel_IsOnnxOpset17_WithDynamicBatchInputAndOutput()
    {
        var model = ModelProto.Parser.ParseFrom(MobileViTModelFactory.BuildSeeded(MobileViTVariant.Xxs, MobileViTModelFactory.SyntheticSeed));

        Assert.Equal(8, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal(("", 17L), (opset.Domain, opset.Version));

        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("pixel_values", input.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        Assert.Equal("batch_size", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(new long[] { 3, 256, 256 }, input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));

        var output = Assert.Single(model.Graph.Output);
        Assert.Equal("logits", output.Name);
        Assert.Equal("batch_size", output.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(1000, output.Type.TensorType.Shape.Dim[1].DimValue);
    }

    [Fact]
    public void BuildSeeded_IsByteIdenticalForTheSameSeed_AndDiffersForAnother()
    {
        var first = MobileViTModelFactory.BuildSeeded(MobileViTVariant.Xxs, seed: 42);
        var again = MobileViTModelFactory.BuildSeeded(MobileViTVariant.Xxs, seed: 42);
        var other = MobileViTModelFactory.BuildSeeded(MobileViTVariant.Xxs, seed: 43);

        Assert.Equal(first, again);
        var firstWeights = ModelProto.Parser.ParseFrom(first).Graph.Initializer.Single(t => t.Name == "classifier.weight").RawData;
        var otherWeights = ModelProto.Parser.ParseFrom(other).Graph.Initializer.Single(t => t.Name == "classifier.weight").RawData;
        Assert.NotEqual(firstWeights, otherWeights);
    }

    [Fact]
    public void SeededModel_GivesFiniteVariedLogits_ForBatchOneAndThree()
    {
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(
            MobileViTModelFactory.BuildSeeded(MobileViTVariant.Xxs, MobileViTModelFactory.SyntheticSeed));
        var pixels = OnnxTestRunner.RandomPixels(batch: 3, seed: 1);

        var batch3 = OnnxTestRunner.RunLogits(session, pixels, batch: 3);
        var batch1 = OnnxTestRunner.RunLogits(session, pixels[..(3 * 256 * 256)], batch: 1);

        Assert.All(batch3, v => Assert.True(float.IsFinite(v)));
        // The first image gives the same logits alone or in a batch.
        Assert.True(OnnxTestRunner.MaxAbsDifference(batch1, batch3[..1000]) < 1e-4f);
        for (var image = 0; image < 3; image++)
        {
            var row = batch3.AsSpan(image * 1000, 1000).ToArray();
            var mean = row.Average();
            var std = Math.Sqrt(row.Average(v => (v - mean) * (v - mean)));
            Assert.InRange(std, 0.05, 100); // neither collapsed nor exploded
        }
        // Different images give different logits.
        Assert.True(OnnxTestRunner.MaxAbsDifference(batch3[..1000], batch3[1000..2000]) > 1e-3f);
    }

    [Fact]
    public void BuildFromSafetensors_WithWrongVariant_ReportsTheMismatch()
    {
        var path = Path.Combine(SharedFixtures.MobileViTXxsSeed7, "model.safetensors");
        var error = Assert.Throws<InvalidDataException>(() => MobileViTModelFactory.BuildFromSafetensors(MobileViTVariant.S, path));
        Assert.Contains("variant", error.Message);
    }
}
