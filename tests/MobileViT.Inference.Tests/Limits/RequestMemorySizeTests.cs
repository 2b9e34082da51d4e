using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;

namespace MobileViT.Inference.Tests.Limits;

public sealed class RequestMemorySizeTests
{
    private const long MiB = 1L << 20;
    private const long MaxImage = 16 * MiB;

    [Fact]
    public void The_setting_wins()
    {
        Assert.Equal(100 * MiB, RequestMemorySize.Resolve(100 * MiB, MaxImage, 2048 * MiB, 1536 * MiB).Bytes);
    }

    [Fact]
    public void In_a_container_it_is_a_quarter_of_the_lower_of_the_cgroup_limit_and_the_GC_heap_limit()
    {
        Assert.Equal(512 * MiB, RequestMemorySize.Resolve(null, MaxImage, 2048 * MiB, null).Bytes);
        Assert.Equal(384 * MiB, RequestMemorySize.Resolve(null, MaxImage, 2048 * MiB, 1536 * MiB).Bytes);
        Assert.Equal(384 * MiB, RequestMemorySize.Resolve(null, MaxImage, null, 1536 * MiB).Bytes);
    }

    [Fact]
    public void Outside_a_container_it_is_the_fixed_default()
    {
        var size = RequestMemorySize.Resolve(null, MaxImage, null, null);
        Assert.Equal(RequestMemorySize.OutsideContainerBytes, size.Bytes);
        Assert.Contains("no memory limit", size.Origin);
    }

    [Fact]
    public void A_small_container_still_holds_the_largest_image_twice()
    {
        Assert.Equal(2 * MaxImage + RequestBuffer.MaxChunkBytes, RequestMemorySize.Resolve(null, MaxImage, 64 * MiB, null).Bytes);
    }

    [Fact]
    public void The_validator_refuses_a_budget_the_largest_image_cannot_fit_in()
    {
        var options = new MobileViTOptions { Models = [new ModelOptions { Name = "m", Source = "synthetic:xxs" }] };
        options.Limits.RequestMemoryBytes = MaxImage;

        var result = new MobileViTOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("MobileViT__Limits__RequestMemoryBytes", result.FailureMessage);
    }

    [Theory]
    [InlineData(0L, 64)]
    [InlineData(ImageLimitsOptions.MaxImageBytesLimit + 1, 64)]
    [InlineData(1024L, 0)]
    [InlineData(1024L, ImageLimitsOptions.MaxImagesPerRequestLimit + 1)]
    public void The_validator_keeps_the_image_limits_in_a_range_whose_products_cannot_overflow(long maxImageBytes, int maxImages)
    {
        var options = new MobileViTOptions { Models = [new ModelOptions { Name = "m", Source = "synthetic:xxs" }] };
        options.Limits.MaxImageBytes = maxImageBytes;
        options.Limits.MaxImagesPerRequest = maxImages;

        Assert.True(new MobileViTOptionsValidator().Validate(null, options).Failed);
    }
}
