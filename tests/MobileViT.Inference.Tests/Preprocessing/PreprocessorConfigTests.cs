using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Tests.Preprocessing;

public sealed class PreprocessorConfigTests
{
    [Fact]
    public void SharedFixture_PreprocessorConfig_IsTheMobileViTDefault()
    {
        var json = File.ReadAllText(Path.Combine(SharedFixtures.MobileViTXxsSeed7, "preprocessor_config.json"));
        var config = PreprocessorConfig.FromJson(json);
        Assert.True(config.DoResize);
        Assert.Equal(288, config.ShortestEdge);
        Assert.True(config.DoCenterCrop);
        Assert.Equal(256, config.CropHeight);
        Assert.Equal(256, config.CropWidth);
        Assert.True(config.DoRescale);
        Assert.Equal(1f / 255f, config.RescaleFactor);
        Assert.True(config.DoFlipChannelOrder);
        Assert.Equal(PreprocessorConfig.MobileViTDefault, config);
    }

    [Fact]
    public void FromJson_ReadsOverrides_AndKeepsDefaultsForMissingFields()
    {
        var config = PreprocessorConfig.FromJson("""
            { "size": { "shortest_edge": 320 }, "crop_size": { "height": 224, "width": 200 },
              "do_flip_channel_order": false, "rescale_factor": 0.5, "do_rescale": false }
            """);
        Assert.Equal(320, config.ShortestEdge);
        Assert.Equal(224, config.CropHeight);
        Assert.Equal(200, config.CropWidth);
        Assert.False(config.DoFlipChannelOrder);
        Assert.False(config.DoRescale);
        Assert.Equal(0.5f, config.RescaleFactor);
        Assert.True(config.DoResize);
        Assert.Equal(PreprocessorConfig.MobileViTDefault, PreprocessorConfig.FromJson("{}"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1)]
    public void FromJson_RejectsResampleOtherThanBilinear(int resample)
    {
        var e = Assert.Throws<NotSupportedException>(() => PreprocessorConfig.FromJson($$"""{ "resample": {{resample}} }"""));
        Assert.Contains("resample", e.Message);
    }

    [Fact]
    public void FromJson_RejectsFixedSizeAndMalformedInput()
    {
        Assert.Throws<NotSupportedException>(() => PreprocessorConfig.FromJson("""{ "size": { "height": 256, "width": 256 } }"""));
        Assert.Throws<FormatException>(() => PreprocessorConfig.FromJson("not json"));
        Assert.Throws<FormatException>(() => PreprocessorConfig.FromJson("""{ "crop_size": { "height": -1, "width": 5 } }"""));
        Assert.Throws<FormatException>(() => PreprocessorConfig.FromJson("""{ "do_resize": "yes" }"""));
    }

    [Fact]
    public void Preprocessor_RejectsConfigWithoutCentreCrop()
    {
        Assert.Throws<NotSupportedException>(() => new ImagePreprocessor(PreprocessorConfig.MobileViTDefault with { DoCenterCrop = false }, 100));
    }
}
