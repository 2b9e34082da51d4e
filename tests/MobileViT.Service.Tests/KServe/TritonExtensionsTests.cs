using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.KServe;

/// <summary>
/// Triton's extensions to the V2 protocol over real HTTP and gRPC against the shared fixture model: binary tensor
/// data, classification, statistics, model configuration, versions, <c>parameters.timeout</c>, errors and the
/// whole-request failure of a batch with one bad image.
/// </summary>
public sealed class TritonExtensionsTests(SharedFixtureModelService fixture) : IClassFixture<SharedFixtureModelService>
{
    private const string Model = SharedFixtureModelService.Model;
    private HttpClient Http => fixture.Service.Client;
    private GRPCInferenceService.GRPCInferenceServiceClient Grpc => new(fixture.Channel);

    private static object PixelValuesJson(float[] data) =>
        new { name = "pixel_values", shape = new[] { data.Length / (3 * 256 * 256), 3, 256, 256 }, datatype = "FP32", data };

    private static object PixelValuesBinary(int batch) => new
    {
        name = "pixel_values", shape = new[] { batch, 3, 256, 256 }, datatype = "FP32",
        parameters = new { binary_data_size = batch * 3 * 256 * 256 * 4 },
    };

    private async Task<float[]> JsonLogitsAsync(float[] pixels)
    {
        using var response = await Http.PostAsJsonAsync($"v2/models/{Model}/infer", new { inputs = new[] { PixelValuesJson(pixels) } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return json["outputs"]![0]!["data"]!.AsArray().Select(n => (float)n!).ToArray();
    }

    [Fact]
    public async Task The_same_tensor_as_json_and_as_binary_gives_identical_logits_equal_to_the_fixture_reference()
    {
        var header = new { inputs = new[] { PixelValuesBinary(2) }, outputs = new[] { new { name = "logits", parameters = new { binary_data = true } } } };

        using var binary = await Http.PostAsync($"v2/models/{Model}/infer",
            BinaryTensorBody.Content(header, BinaryTensorBody.Floats(SharedFixtureModelService.ProbeInput)));

        Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
        Assert.Equal("application/octet-stream", binary.Content.Headers.ContentType?.MediaType);
        var (json, bytes) = await BinaryTensorBody.ReadAsync(binary);
        var output = json["outputs"]![0]!;
        Assert.Equal("[2,1000]", output["shape"]!.ToJsonString());
        Assert.Equal(2 * 1000 * 4, (int)output["parameters"]!["binary_data_size"]!);
        Assert.Null(output["data"]);
        var binaryLogits = MemoryMarshal.Cast<byte, float>(bytes).ToArray();

        var jsonLogits = await JsonLogitsAsync(SharedFixtureModelService.ProbeInput);

        Assert.Equal(jsonLogits, binaryLogits);
        SharedFixtureModelService.AssertProbeLogits(binaryLogits);
    }

    [Fact]
    public async Task Binary_bytes_images_are_length_prefixed_and_agree_with_base64_json()
    {
        var images = new[] { TestImages.SharedJpeg(), TestImages.Png(300, 200, seed: 3) };
        var elements = BinaryTensorBody.Elements(images);
        var header = new
        {
            inputs = new[] { new { name = "image", shape = new[] { 2 }, datatype = "BYTES", parameters = new { binary_data_size = elements.Length } } },
            parameters = new { binary_data_output = true },
        };

        using var binary = await Http.PostAsync($"v2/models/{Model}/infer", BinaryTensorBody.Content(header, elements));
        using var json = await Http.PostAsJsonAsync($"v2/models/{Model}/infer", new
        {
            inputs = new[] { new { name = "image", shape = new[] { 2 }, datatype = "BYTES", data = images.Select(Convert.ToBase64String).ToArray() } },
        });

        Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
        var (_, bytes) = await BinaryTensorBody.ReadAsync(binary);
        var jsonLogits = JsonNode.Parse(await json.Content.ReadAsStringAsync())!["outputs"]![0]!["data"]!.AsArray().Select(n => (float)n!);
        Assert.Equal(jsonLogits, MemoryMarshal.Cast<byte, float>(bytes).ToArray());
    }

    public static TheoryData<string, string?, byte[], string> MalformedBinaryBodies()
    {
        var header = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"pixel_values","shape":[1,3,256,256],"datatype":"FP32","parameters":{"binary_data_size":786432}}]}""");
        var odd = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"pixel_values","shape":[1,3,256,256],"datatype":"FP32","parameters":{"binary_data_size":7}}]}""");
        var tensor = new byte[786432];
        return new()
        {
            { "not a number", "abc", [.. header, .. tensor], "Inference-Header-Content-Length" },
            { "longer than the body", "99999999", [.. header, .. tensor], "more than the whole body" },
            { "header cut short", (header.Length - 5).ToString(CultureInfo.InvariantCulture), [.. header, .. tensor], "not a V2 inference request" },
            { "body shorter than declared", header.Length.ToString(CultureInfo.InvariantCulture), [.. header, .. tensor[..1000]], "add up to" },
            { "bytes after the last tensor", header.Length.ToString(CultureInfo.InvariantCulture), [.. header, .. tensor, 1, 2, 3], "add up to" },
            { "FP32 size not a multiple of 4", odd.Length.ToString(CultureInfo.InvariantCulture), [.. odd, 1, 2, 3, 4, 5, 6, 7], "multiple of 4" },
            { "binary_data_size without the header", null, [.. header], "no Inference-Header-Content-Length" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedBinaryBodies))]
    public async Task A_malformed_binary_request_is_a_400_with_a_clear_message(string why, string? headerLength, byte[] body, string message)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        if (headerLength is not null)
            content.Headers.TryAddWithoutValidation(BinaryTensorBody.HeaderLength, headerLength);

        using var response = await Http.PostAsync($"v2/models/{Model}/infer", content);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {response.StatusCode}");
        var error = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"];
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task Classification_3_over_rest_is_the_top_3_logits_as_value_index_label()
    {
        var logits = await JsonLogitsAsync(SharedFixtureModelService.ProbeInput);

        using var response = await Http.PostAsJsonAsync($"v2/models/{Model}/infer", new
        {
            inputs = new[] { PixelValuesJson(SharedFixtureModelService.ProbeInput) },
            outputs = new[] { new { name = "logits", parameters = new { classification = 3 } } },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["outputs"]![0]!;
        Assert.Equal(("BYTES", "[2,3]"), ((string?)output["datatype"], output["shape"]!.ToJsonString()));
        var strings = output["data"]!.AsArray().Select(n => (string)n!).ToArray();
        Assert.Equal(ExpectedClassification(logits, 3), strings.Select(s => ParseClassification(s)[..2]).ToArray());
        Assert.All(strings, s => Assert.False(string.IsNullOrEmpty(ParseClassification(s)[2]), "no label"));
    }

    [Fact]
    public async Task Classification_3_over_grpc_is_a_bytes_tensor_of_the_top_3()
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "pixel_values", Datatype = "FP32", Shape = { 2, 3, 256, 256 } };
        input.Contents = new InferTensorContents { Fp32Contents = { SharedFixtureModelService.ProbeInput } };
        var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "logits" };
        output.Parameters["classification"] = new InferParameter { Int64Param = 3 };

        var response = await Grpc.ModelInferAsync(new ModelInferRequest { ModelName = Model, Inputs = { input }, Outputs = { output } });

        var tensor = Assert.Single(response.Outputs);
        Assert.Equal("BYTES", tensor.Datatype);
        Assert.Equal([2L, 3L], tensor.Shape);
        var strings = tensor.Contents.BytesContents.Select(b => ParseClassification(b.ToStringUtf8())).ToArray();
        var expected = ExpectedClassification(await JsonLogitsAsync(SharedFixtureModelService.ProbeInput), 3);
        Assert.Equal(expected.Select(e => e[1]), strings.Select(s => s[1]));
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(float.Parse(expected[i][0], CultureInfo.InvariantCulture), float.Parse(strings[i][0], CultureInfo.InvariantCulture), 1e-4f);
    }

    [Fact]
    public async Task Classification_over_grpc_with_raw_input_comes_back_as_raw_length_prefixed_strings()
    {
        var request = new ModelInferRequest
        {
            ModelName = Model,
            Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "pixel_values", Datatype = "FP32", Shape = { 2, 3, 256, 256 } } },
            Outputs = { new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "logits", Parameters = { ["classification"] = new InferParameter { Int64Param = 2 } } } },
        };
        request.RawInputContents.Add(ByteString.CopyFrom(BinaryTensorBody.Floats(SharedFixtureModelService.ProbeInput)));

        var response = await Grpc.ModelInferAsync(request);

        Assert.Equal([2L, 2L], response.Outputs[0].Shape);
        var strings = BinaryTensorBody.ReadElements(response.RawOutputContents[0].Span);
        Assert.Equal(4, strings.Count);
        Assert.All(strings, s => Assert.Equal(3, ParseClassification(s).Length));
    }

    /// <summary>Per row, the top <paramref name="n"/> (value, index) by sorting the whole row: an independent computation.</summary>
    private static string[][] ExpectedClassification(float[] logits, int n) =>
        logits.Chunk(1000).SelectMany(row => row.Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(n)
            .Select(p => new[] { p.v.ToString(CultureInfo.InvariantCulture), p.i.ToString(CultureInfo.InvariantCulture) })).ToArray();

    private static string[] ParseClassification(string value)
    {
        var parts = value.Split(':', 3);
        Assert.Equal(3, parts.Length);
        return parts;
    }

    [Fact]
    public async Task Statistics_count_the_requests_sent_with_positive_queue_and_compute_durations()
    {
        var before = await ModelStatAsync($"v2/models/{Model}/stats");
        var image = new { name = "image", shape = new[] { 1 }, datatype = "BYTES", data = new[] { Convert.ToBase64String(TestImages.Png(64, 64)) } };
        for (var i = 0; i < 3; i++)
            (await Http.PostAsJsonAsync($"v2/models/{Model}/infer", new { inputs = new[] { image } })).EnsureSuccessStatusCode();
        var bad = new { name = "image", shape = new[] { 1 }, datatype = "BYTES", data = new[] { Convert.ToBase64String("not an image"u8.ToArray()) } };
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsJsonAsync($"v2/models/{Model}/infer", new { inputs = new[] { bad } })).StatusCode);

        var after = await ModelStatAsync($"v2/models/{Model}/stats");

        long Delta(string path) => Read(after, path) - Read(before, path);
        Assert.Equal((Model, "1"), ((string?)after["name"], (string?)after["version"]));
        Assert.Equal(3, Delta("inference_stats.success.count"));
        Assert.Equal(1, Delta("inference_stats.fail.count"));
        Assert.Equal(3, Delta("inference_count"));
        Assert.InRange(Delta("execution_count"), 1, 3);
        Assert.Equal(3, Delta("inference_stats.queue.count"));
        Assert.Equal(3, Delta("inference_stats.compute_input.count"));
        Assert.Equal(3, Delta("inference_stats.compute_output.count"));
        Assert.Equal(Delta("execution_count"), Delta("inference_stats.compute_infer.count"));
        foreach (var stage in new[] { "success", "fail", "queue", "compute_input", "compute_infer", "compute_output" })
            Assert.True(Delta($"inference_stats.{stage}.ns") > 0, $"{stage} ns did not grow");
        var batches = after["batch_stats"]!.AsArray();
        Assert.Equal(Read(after, "execution_count"), batches.Sum(b => (long)b!["compute_infer"]!["count"]!));
        Assert.All(batches, b => Assert.True((long)b!["compute_infer"]!["ns"]! > 0));
        Assert.InRange((long)after["last_inference"]!, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        // The same counters under every statistics route.
        Assert.Equal(Read(after, "inference_count"), Read(await ModelStatAsync($"v2/models/{Model}/versions/1/stats"), "inference_count"));
        Assert.Equal(Read(after, "inference_count"), Read(await ModelStatAsync("v2/models/stats"), "inference_count"));
    }

    private async Task<JsonNode> ModelStatAsync(string path)
    {
        var stats = (await Http.GetFromJsonAsync<JsonNode>(path))!;
        return Assert.Single(stats["model_stats"]!.AsArray())!;
    }

    private static long Read(JsonNode node, string path) => (long)path.Split('.').Aggregate(node, (n, key) => n[key]!);

    [Fact]
    public async Task The_model_configuration_matches_the_model()
    {
        var config = (await Http.GetFromJsonAsync<JsonNode>($"v2/models/{Model}/config"))!;

        Assert.Equal(Model, (string?)config["name"]);
        Assert.Equal("onnxruntime_onnx", (string?)config["platform"]);
        Assert.Equal(8, (int)config["max_batch_size"]!);
        var input = config["input"]!.AsArray().Single(i => (string?)i!["name"] == "pixel_values")!;
        Assert.Equal(("TYPE_FP32", "[3,256,256]"), ((string?)input["data_type"], input["dims"]!.ToJsonString()));
        var output = Assert.Single(config["output"]!.AsArray())!;
        Assert.Equal(("logits", "TYPE_FP32", "[1000]"), ((string?)output["name"], (string?)output["data_type"], output["dims"]!.ToJsonString()));
        Assert.Equal(0, (long)config["dynamic_batching"]!["max_queue_delay_microseconds"]!);
        var group = Assert.Single(config["instance_group"]!.AsArray())!;
        Assert.Equal(("KIND_CPU", 2), ((string?)group["kind"], (int)group["count"]!));
        Assert.Equal(config.ToJsonString(), (await Http.GetFromJsonAsync<JsonNode>($"v2/models/{Model}/versions/1/config"))!.ToJsonString());
    }

    [Fact]
    public async Task Server_metadata_lists_the_extensions_and_version_1_routes_work()
    {
        var server = (await Http.GetFromJsonAsync<JsonNode>("v2"))!;
        Assert.Equal(["binary_tensor_data", "classification", "statistics", "model_configuration"], server["extensions"]!.AsArray().Select(e => (string)e!));
        Assert.Contains("classification", (await Grpc.ServerMetadataAsync(new ServerMetadataRequest())).Extensions);

        var metadata = (await Http.GetFromJsonAsync<JsonNode>($"v2/models/{Model}/versions/1"))!;
        Assert.Equal("[\"1\"]", metadata["versions"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"v2/models/{Model}/versions/1/ready")).StatusCode);
        using var infer = await Http.PostAsJsonAsync($"v2/models/{Model}/versions/1/infer", new { inputs = new[] { PixelValuesJson(SharedFixtureModelService.ProbeInput[..(3 * 256 * 256)]) } });
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        Assert.Equal("1", (string?)JsonNode.Parse(await infer.Content.ReadAsStringAsync())!["model_version"]);

        foreach (var path in new[] { $"v2/models/{Model}/versions/2", $"v2/models/{Model}/versions/2/stats", $"v2/models/{Model}/versions/2/config" })
        {
            using var response = await Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("only version 1", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
        }
        var e = await Assert.ThrowsAsync<RpcException>(() => Grpc.ModelMetadataAsync(new ModelMetadataRequest { Name = Model, Version = "2" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task The_timeout_parameter_is_a_deadline_in_microseconds_over_rest_and_grpc()
    {
        // One microsecond has passed before the request is queued: it is refused as past its deadline, never run.
        using var rest = await Http.PostAsJsonAsync($"v2/models/{Model}/infer",
            new { parameters = new { timeout = 1 }, inputs = new[] { PixelValuesJson(SharedFixtureModelService.ProbeInput) } });
        Assert.Equal(HttpStatusCode.GatewayTimeout, rest.StatusCode);
        Assert.NotNull((string?)JsonNode.Parse(await rest.Content.ReadAsStringAsync())!["error"]);

        var input = new ModelInferRequest.Types.InferInputTensor { Name = "pixel_values", Datatype = "FP32", Shape = { 2, 3, 256, 256 } };
        input.Contents = new InferTensorContents { Fp32Contents = { SharedFixtureModelService.ProbeInput } };
        var request = new ModelInferRequest { ModelName = Model, Inputs = { input } };
        request.Parameters["timeout"] = new InferParameter { Int64Param = 1 };
        var e = await Assert.ThrowsAsync<RpcException>(() => Grpc.ModelInferAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);

        // A generous timeout runs normally; zero is a bad parameter.
        request.Parameters["timeout"] = new InferParameter { Int64Param = 60_000_000 };
        Assert.Equal(2000, (await Grpc.ModelInferAsync(request)).Outputs[0].Contents.Fp32Contents.Count);
        using var zero = await Http.PostAsJsonAsync($"v2/models/{Model}/infer",
            new { parameters = new { timeout = 0 }, inputs = new[] { PixelValuesJson(SharedFixtureModelService.ProbeInput) } });
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        using var huge = await Http.PostAsJsonAsync($"v2/models/{Model}/infer",
            new { parameters = new { timeout = long.MaxValue }, inputs = new[] { PixelValuesJson(SharedFixtureModelService.ProbeInput) } });
        Assert.Equal(HttpStatusCode.OK, huge.StatusCode);
    }

    [Fact]
    public async Task A_batch_with_one_undecodable_image_fails_as_a_whole_naming_its_index_after_the_others_ran()
    {
        var images = new[] { TestImages.Png(64, 64, seed: 1), "not an image"u8.ToArray(), TestImages.Png(64, 64, seed: 2) };
        var before = await ModelStatAsync($"v2/models/{Model}/stats");

        var input = new ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "BYTES", Shape = { 3 }, Contents = new InferTensorContents() };
        input.Contents.BytesContents.AddRange(images.Select(ByteString.CopyFrom));
        var e = await Assert.ThrowsAsync<RpcException>(() => Grpc.ModelInferAsync(new ModelInferRequest { ModelName = Model, Inputs = { input } }).ResponseAsync);
        using var rest = await Http.PostAsJsonAsync($"v2/models/{Model}/infer", new
        {
            inputs = new[] { new { name = "image", shape = new[] { 3 }, datatype = "BYTES", data = images.Select(Convert.ToBase64String).ToArray() } },
        });

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("Element 1 of the batch failed", e.Status.Detail);
        Assert.Equal(HttpStatusCode.BadRequest, rest.StatusCode);
        Assert.StartsWith("Element 1 of the batch failed", (string?)JsonNode.Parse(await rest.Content.ReadAsStringAsync())!["error"]);
        // The design: the rest of the batch ran (2 images per request), no partial answer was sent, each request failed once.
        var after = await ModelStatAsync($"v2/models/{Model}/stats");
        Assert.Equal(4, Read(after, "inference_count") - Read(before, "inference_count"));
        Assert.Equal(2, Read(after, "inference_stats.fail.count") - Read(before, "inference_stats.fail.count"));
    }
}
