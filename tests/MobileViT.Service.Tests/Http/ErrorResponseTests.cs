using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

/// <summary>Every bad request gets RFC 7807 problem+json with the right status, and none of them is ever run.</summary>
public sealed class ErrorResponseTests(SmallModelServiceFixture fixture) : IClassFixture<SmallModelServiceFixture>
{
    private HttpClient Client => fixture.Service.Client;

    private async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    private static ByteArrayContent Body(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    public static TheoryData<string, string, string, HttpStatusCode> BadRequests()
    {
        var jpeg = TestImages.SharedJpeg();
        return new()
        {
            { "truncated-jpeg", Convert.ToBase64String(jpeg[..(jpeg.Length / 2)]), "image/jpeg", HttpStatusCode.BadRequest },
            { "random-bytes", Convert.ToBase64String(Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251)).ToArray()), "image/jpeg", HttpStatusCode.BadRequest },
            { "empty-body", "", "image/jpeg", HttpStatusCode.BadRequest },
            { "wrong-content-type", Convert.ToBase64String(jpeg), "text/plain", HttpStatusCode.UnsupportedMediaType },
            { "no-content-type", Convert.ToBase64String(jpeg), "", HttpStatusCode.UnsupportedMediaType },
            { "pixel-bomb", Convert.ToBase64String(TestImages.PngHeaderOnly(60_000, 60_000)), "image/png", HttpStatusCode.BadRequest },
            { "over-body-limit", Convert.ToBase64String(new byte[1_500_000]), "image/jpeg", HttpStatusCode.RequestEntityTooLarge },
        };
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_refused_with_a_problem_and_never_runs(string name, string base64, string contentType, HttpStatusCode status)
    {
        Assert.NotNull(name);
        fixture.Service.Registry.TryGetLoaded("tiny", out var model);
        var before = model.Batcher.ImagesRun;

        using var response = await Client.PostAsync("v1/classify", Body(Convert.FromBase64String(base64), contentType == "" ? null : contentType));

        await AssertProblemAsync(response, status);
        Assert.Equal(before, model.Batcher.ImagesRun);
    }

    [Fact]
    public async Task A_pixel_bomb_is_named_as_such()
    {
        using var response = await Client.PostAsync("v1/classify", Body(TestImages.PngHeaderOnly(60_000, 60_000), "image/png"));
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("too-many-pixels", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_unknown_model_is_404()
    {
        using var response = await Client.PostAsync("v1/models/nope/classify", Body(TestImages.Jpeg(), "image/jpeg"));
        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("tiny", problem.GetProperty("detail").GetString());

        using var get = await Client.GetAsync("v1/models/nope");
        await AssertProblemAsync(get, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("topK=0")]
    [InlineData("topK=1001")]
    [InlineData("timeoutMs=0")]
    public async Task Out_of_range_parameters_are_400(string query)
    {
        using var response = await Client.PostAsync("v1/classify?" + query, Body(TestImages.Jpeg(), "image/jpeg"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_multipart_body_without_an_image_field_is_400()
    {
        using var form = new MultipartFormDataContent { { new StringContent("hello"), "note" } };
        using var response = await Client.PostAsync("v1/classify", form);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_service_keeps_serving_after_bad_requests()
    {
        for (var i = 0; i < 5; i++)
        {
            using var bad = await Client.PostAsync("v1/classify", Body("garbage"u8.ToArray(), "image/png"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
        using var good = await Client.PostAsync("v1/classify", Body(TestImages.Jpeg(), "image/jpeg"));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }
}
