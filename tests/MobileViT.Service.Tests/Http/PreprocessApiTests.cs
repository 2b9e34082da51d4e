using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SkiaSharp;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

public sealed class PreprocessApiTests(SmallModelServiceFixture fixture) : IClassFixture<SmallModelServiceFixture>
{
    private HttpClient Client => fixture.Service.Client;

    [Fact]
    public async Task An_image_comes_back_as_the_256x256_png_crop_in_rgb_order()
    {
        using var source = new SKBitmap(400, 300, SKColorType.Rgba8888, SKAlphaType.Opaque);
        source.Erase(new SKColor(200, 60, 20));
        using var encoded = SKImage.FromBitmap(source).Encode(SKEncodedImageFormat.Png, 100);

        using var response = await Client.PostAsync("v1/models/tiny/preprocess", ImageContent.Of(encoded.ToArray(), "image/png"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using var crop = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((256, 256), (crop.Width, crop.Height));
        Assert.Equal(new SKColor(200, 60, 20), crop.GetPixel(10, 200));
    }

    [Theory]
    [InlineData("v1/models/nope/preprocess", "image/jpeg", "jpeg", 404, "unknown-model")]
    [InlineData("v1/models/tiny/preprocess", "image/jpeg", "text", 400, "unsupported-image-format")]
    [InlineData("v1/models/tiny/preprocess", "text/plain", "jpeg", 415, "unsupported-media-type")]
    [InlineData("v1/models/tiny/preprocess", "image/jpeg", "huge", 413, "payload-too-large")]
    public async Task Errors_are_problem_details(string path, string contentType, string bodyKind, int status, string slug)
    {
        var body = bodyKind switch
        {
            "jpeg" => TestImages.Jpeg(),
            "text" => "not an image"u8.ToArray(),
            _ => new byte[1_000_001],
        };

        using var response = await Client.PostAsync(path, ImageContent.Of(body, contentType));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:mobilevit:problem:" + slug, problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task The_endpoint_is_in_the_openapi_document_with_its_image_body_and_png_response()
    {
        var document = await Client.GetFromJsonAsync<JsonElement>("swagger/v1/swagger.json");

        var operation = document.GetProperty("paths").GetProperty("/v1/models/{name}/preprocess").GetProperty("post");
        Assert.True(operation.GetProperty("requestBody").GetProperty("content").TryGetProperty("image/jpeg", out _));
        Assert.True(operation.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("image/png", out _));
        Assert.True(operation.GetProperty("responses").TryGetProperty("415", out _));
    }
}
