using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>
/// The server faults of issue 20, each as it was reported: on the code before the fix every one of these was a 500
/// (gRPC UNKNOWN) with an error stack in the log. Now each is a 4xx naming the field, and nothing is logged as an error.
/// </summary>
public sealed class ReportedDefectTests(HostileServiceFixture fixture) : IClassFixture<HostileServiceFixture>
{
    private const string Infer = $"/v2/models/{HostileServiceFixture.Model}/infer";

    private static (string, string)[] Binary(int headerLength) =>
        [("Content-Type", "application/octet-stream"), ("Inference-Header-Content-Length", headerLength.ToString())];

    private void AssertNoErrorLogged() => Assert.Empty(fixture.Errors());

    [Fact]
    public async Task A_chunked_binary_body_whose_header_length_claims_2_GiB_is_413_before_anything_is_allocated()
    {
        var response = await fixture.Raw.SendAsync(Infer,
            [("Content-Type", "application/octet-stream"), ("Inference-Header-Content-Length", "2147483000")], "{\"inputs\":[]}"u8.ToArray(), contentLength: null);

        Assert.Equal(413, response.Status);
        Assert.Contains("Inference-Header-Content-Length", response.Body);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task A_binary_data_size_of_2_GiB_sent_chunked_is_413_naming_the_field()
    {
        var header = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":2147000000}}]}""");
        var response = await fixture.Raw.SendAsync(Infer, Binary(header.Length), [.. header, .. new byte[1000]], contentLength: null);

        Assert.Equal(413, response.Status);
        Assert.Contains("binary_data_size", response.Body);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task Two_binary_data_sizes_near_2_to_the_63_do_not_overflow_their_sum()
    {
        var header = Encoding.UTF8.GetBytes("""
            {"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":9223372036854775000}},
                       {"name":"other","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":9223372036854775000}}]}
            """);
        byte[] body = [.. header, .. new byte[64]];
        var response = await fixture.Raw.SendAsync(Infer, Binary(header.Length), body, contentLength: body.Length);

        Assert.InRange(response.Status, 400, 413);
        Assert.Contains("binary_data_size", response.Body);
        AssertNoErrorLogged();
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(long.MinValue + 1)]
    [InlineData(-1)]
    [InlineData(0)]
    public async Task A_V2_REST_timeout_at_or_below_zero_down_to_minus_2_to_the_63_is_400(long microseconds)
    {
        var body = JsonSerializer.Serialize(new
        {
            parameters = new { timeout = microseconds },
            inputs = new[] { new { name = "image", shape = new[] { 1 }, datatype = "BYTES", data = new[] { Convert.ToBase64String(TestImages.Jpeg(64, 64)) } } },
        });
        using var response = await fixture.Service.Client.PostAsync(Infer.TrimStart('/'), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("timeout", await response.Content.ReadAsStringAsync());
        AssertNoErrorLogged();
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(-1)]
    public async Task A_V2_gRPC_timeout_down_to_minus_2_to_the_63_is_INVALID_ARGUMENT(long microseconds)
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(fixture.Channel);
        var request = ImageRequest();
        request.Parameters["timeout"] = new InferParameter { Int64Param = microseconds };

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task The_largest_timeouts_are_cut_to_a_day_and_served()
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(fixture.Channel);
        var request = ImageRequest();
        request.Parameters["timeout"] = new InferParameter { Int64Param = long.MaxValue };
        Assert.NotEmpty((await client.ModelInferAsync(request)).Outputs);

        var body = JsonSerializer.Serialize(new
        {
            parameters = new { timeout = long.MaxValue },
            inputs = new[] { new { name = "image", shape = new[] { 1 }, datatype = "BYTES", data = new[] { Convert.ToBase64String(TestImages.Jpeg(64, 64)) } } },
        });
        using var response = await fixture.Service.Client.PostAsync(Infer.TrimStart('/'), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string> UploadEndpoints() =>
        ["v1/classify", $"v1/models/{HostileServiceFixture.Model}/classify/batch", $"v1/models/{HostileServiceFixture.Model}/preprocess"];

    [Theory]
    [MemberData(nameof(UploadEndpoints))]
    public async Task A_multipart_boundary_of_5000_characters_is_400_on_every_upload_endpoint_and_is_not_logged(string path)
    {
        var boundary = "B" + new string('x', 4999);
        using var response = await PostMultipartAsync(path, boundary);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("70", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Message.Contains(boundary[..100], StringComparison.Ordinal) ||
                                                          (e.Exception?.ToString().Contains(boundary[..100], StringComparison.Ordinal) ?? false));
        AssertNoErrorLogged();
    }

    [Theory]
    [MemberData(nameof(UploadEndpoints))]
    public async Task A_multipart_boundary_over_RFC_2046s_70_characters_is_400(string path)
    {
        using var accepted = await PostMultipartAsync(path, new string('b', 70));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        using var refused = await PostMultipartAsync(path, new string('b', 71));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("bad-multipart", await refused.Content.ReadAsStringAsync());
    }

    /// <summary>A multipart body written by hand: HttpClient's own refuses boundaries over 70 characters.</summary>
    private async Task<HttpResponseMessage> PostMultipartAsync(string path, string boundary)
    {
        var content = new ByteArrayContent(MultipartBody.Of(boundary, [("image", "a.jpg", TestImages.Jpeg(64, 64))]));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        return await fixture.Service.Client.PostAsync(path, content);
    }

    private static ModelInferRequest ImageRequest() => new()
    {
        ModelName = HostileServiceFixture.Model,
        Inputs =
        {
            new ModelInferRequest.Types.InferInputTensor
            {
                Name = "image", Datatype = "BYTES", Shape = { 1 },
                Contents = new InferTensorContents { BytesContents = { ByteString.CopyFrom(TestImages.Jpeg(64, 64)) } },
            },
        },
    };
}
