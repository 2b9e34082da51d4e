using MobileViT.Inference.Configuration;
using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Tests.Configuration;

public sealed class PreprocessingOptionsTests
{
    private static MobileViTOptions Options(string mode, string? modelMode = null) => new()
    {
        Models = [new ModelOptions { Name = "m", Source = "synthetic:xxs", PreprocessingMode = modelMode }],
        Preprocessing = new PreprocessingOptions { Mode = mode },
    };

    [Fact]
    public void Default_IsExact()
    {
        var options = new MobileViTOptions { Models = [new ModelOptions { Name = "m", Source = "synthetic:xxs" }] };
        Assert.Equal(PreprocessingMode.Exact, options.Preprocessing.ResolveMode(options.Models[0]));
    }

    [Theory]
    [InlineData("exact", null, PreprocessingMode.Exact)]
    [InlineData("Fast", null, PreprocessingMode.Fast)]
    [InlineData(" fast ", "", PreprocessingMode.Fast)]
    [InlineData("exact", "fast", PreprocessingMode.Fast)]
    [InlineData("fast", "EXACT", PreprocessingMode.Exact)]
    public void ModelOverride_WinsOverTheServiceMode(string mode, string? modelMode, PreprocessingMode expected)
    {
        var options = Options(mode, modelMode);
        Assert.True(new MobileViTOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(expected, options.Preprocessing.ResolveMode(options.Models[0]));
    }

    [Theory]
    [InlineData("quick", null, "MobileViT__Preprocessing__Mode")]
    [InlineData("1", null, "MobileViT__Preprocessing__Mode")]
    [InlineData("exact", "draft", "MobileViT__Models__0__PreprocessingMode")]
    public void BadMode_IsRejectedNamingTheKey(string mode, string? modelMode, string key)
    {
        var result = new MobileViTOptionsValidator().Validate(null, Options(mode, modelMode));
        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage);
    }
}
