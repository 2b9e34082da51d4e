using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.KServe;

/// <summary>
/// The KServe V2 protocol, gRPC and REST, serving the shared fixture directory (a PyTorch-exported MobileViT-XXS) as
/// a local model: ModelInfer on the fixture's probe input must reproduce the fixture's reference logits.
/// </summary>
public sealed class KServeV2Tests(SharedFixtureModelService fixture) : IClassFixture<SharedFixtureModelService>
{
    private const string Model = SharedFixtureModelService.Model;
    private RunningService Service => fixture.Service;
    private GrpcChannel Channel => fixture.Channel;

    private static float[] ProbeInput => SharedFixtureModelService.ProbeInput;

    private GRPCInferenceService.GRPCInferenceServiceClient Client => new(Channel);

    private static void AssertProbeLogits(IReadOnlyList<float> logits) => SharedFixtureModelService.AssertProbeLogits(logits);

    private static ModelInferRequest.Types.InferInputTensor PixelValues(long n) => new() { Name = "pixel_values", Datatype = "FP32", Shape = { n, 3, 256, 256 } };

    [Fact]
    public async Task ModelInfer_with_the_shared_fixture_probe_as_raw_contents_reproduces_its_reference_logits()
    {
        var request = new ModelInferRequest { ModelName = Model, Id = "probe", Inputs = { PixelValues(2) }, Outputs = { new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "logits" } } };
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(ProbeInput.AsSpan())));

        var response = await Client.ModelInferAsync(request);

        Assert.Equal(Model, response.ModelName);
        Assert.Equal("probe", response.Id);
        var output = Assert.Single(response.Outputs);
        Assert.Equal(("logits", "FP32"), (output.Name, output.Datatype));
        Assert.Equal([2L, 1000L], output.Shape);
        Assert.False(response.Parameters["synthetic"].BoolParam);
        AssertProbeLogits(MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
    }

    [Fact]
    public async Task ModelInfer_with_the_shared_fixture_probe_as_typed_contents_reproduces_its_reference_logits()
    {
        var input = PixelValues(2);
        input.Contents = new InferTensorContents { Fp32Contents = { ProbeInput } };

        var response = await Client.ModelInferAsync(new ModelInferRequest { ModelName = Model, Inputs = { input } });

        AssertProbeLogits(response.Outputs[0].Contents.Fp32Contents);
    }

    [Fact]
    public async Task Rest_infer_with_the_shared_fixture_probe_as_json_reproduces_its_reference_logits()
    {
        var body = new { id = "rest-probe", inputs = new[] { new { name = "pixel_values", shape = new[] { 2, 3, 256, 256 }, datatype = "FP32", data = ProbeInput } } };

        using var response = await Service.Client.PostAsJsonAsync($"v2/models/{Model}/infer", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(Model, (string?)json["model_name"]);
        Assert.Equal("rest-probe", (string?)json["id"]);
        var output = json["outputs"]![0]!;
        Assert.Equal("logits", (string?)output["name"]);
        Assert.Equal([2, 1000], output["shape"]!.AsArray().Select(n => (int)n!).ToArray());
        AssertProbeLogits(output["data"]!.AsArray().Select(n => (float)n!).ToArray());
    }

    [Fact]
    public async Task ModelInfer_on_encoded_images_preprocesses_on_the_server_and_agrees_with_classify()
    {
        var images = new[] { TestImages.SharedJpeg(), TestImages.Png(300, 200, seed: 3) };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "BYTES", Shape = { 2 }, Contents = new InferTensorContents() };
        input.Contents.BytesContents.AddRange(images.Select(ByteString.CopyFrom));

        var response = await Client.ModelInferAsync(new ModelInferRequest { ModelName = Model, Inputs = { input } });

        Assert.Equal([2L, 1000L], response.Outputs[0].Shape);
        var logits = response.Outputs[0].Contents.Fp32Contents.ToArray();
        for (var i = 0; i < images.Length; i++)
        {
            var classify = await new MobileViT.Service.Grpc.V1.Classifier.ClassifierClient(Channel).ClassifyAsync(
                new MobileViT.Service.Grpc.V1.ClassifyRequest { Image = ByteString.CopyFrom(images[i]), Model = Model, TopK = 1 });
            var row = logits.AsSpan(i * 1000, 1000);
            Assert.Equal(classify.Predictions[0].Index, row.IndexOf(TensorPrimitivesMax(row)));
        }
    }

    private static float TensorPrimitivesMax(ReadOnlySpan<float> values)
    {
        var max = float.MinValue;
        foreach (var v in values)
            max = Math.Max(max, v);
        return max;
    }

    [Theory]
    [InlineData(new long[] { 1, 3, 224, 224 }, "shape")]
    [InlineData(new long[] { 1, 3, 256 }, "shape")]
    [InlineData(new long[] { 2, 3, 256, 256 }, "needs")]
    public async Task A_tensor_of_the_wrong_shape_or_size_is_invalid_argument(long[] shape, string detail)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "pixel_values", Datatype = "FP32", Shape = { shape } };
        input.Contents = new InferTensorContents { Fp32Contents = { new float[3 * 256 * 256] } };

        var e = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(new ModelInferRequest { ModelName = Model, Inputs = { input } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(detail, e.Status.Detail);
    }

    [Fact]
    public async Task Bad_input_name_datatype_image_and_output_are_invalid_argument()
    {
        var wrongType = new ModelInferRequest.Types.InferInputTensor { Name = "pixel_values", Datatype = "INT32", Shape = { 1, 3, 256, 256 } };
        var wrongName = new ModelInferRequest.Types.InferInputTensor { Name = "pixels", Datatype = "FP32", Shape = { 1, 3, 256, 256 } };
        var badImage = new ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "BYTES", Shape = { 1 }, Contents = new InferTensorContents { BytesContents = { ByteString.CopyFromUtf8("not an image") } } };
        var goodImage = new ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "BYTES", Shape = { 1 }, Contents = new InferTensorContents { BytesContents = { ByteString.CopyFrom(TestImages.Png(32, 32)) } } };
        var requests = new[]
        {
            new ModelInferRequest { ModelName = Model, Inputs = { wrongType } },
            new ModelInferRequest { ModelName = Model, Inputs = { wrongName } },
            new ModelInferRequest { ModelName = Model, Inputs = { badImage } },
            new ModelInferRequest { ModelName = Model },
            new ModelInferRequest { ModelName = Model, Inputs = { goodImage }, Outputs = { new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities" } } },
        };
        foreach (var request in requests)
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        }
    }

    [Fact]
    public async Task An_unknown_model_is_not_found_over_grpc_and_404_over_rest()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(new ModelInferRequest { ModelName = "nope", Inputs = { PixelValues(1) } }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(() => Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(() => Client.ModelReadyAsync(new ModelReadyRequest { Name = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);

        foreach (var path in new[] { "v2/models/nope", "v2/models/nope/ready" })
            Assert.Equal(HttpStatusCode.NotFound, (await Service.Client.GetAsync(path)).StatusCode);
        using var infer = await Service.Client.PostAsJsonAsync("v2/models/nope/infer", new { inputs = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.NotFound, infer.StatusCode);
        AssertV2Error(infer, await infer.Content.ReadAsStringAsync(), "nope");
    }

    [Fact]
    public async Task Rest_infer_with_a_bad_shape_or_body_is_a_400_with_the_protocol_error_body()
    {
        var badShape = new { inputs = new[] { new { name = "pixel_values", shape = new[] { 1, 3, 8, 8 }, datatype = "FP32", data = new float[192] } } };
        using var shape = await Service.Client.PostAsJsonAsync($"v2/models/{Model}/infer", badShape);
        using var notJson = await Service.Client.PostAsync($"v2/models/{Model}/infer", new StringContent("{not json", null, "application/json"));

        foreach (var (response, detail) in new[] { (shape, "shape"), (notJson, "not a V2 inference request") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            AssertV2Error(response, await response.Content.ReadAsStringAsync(), detail);
        }
    }

    /// <summary>The protocol's error body: a JSON object with one string, <c>error</c> (not problem+json).</summary>
    private static void AssertV2Error(HttpResponseMessage response, string body, string detail)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["error"], json.Select(p => p.Key));
        Assert.Contains(detail, (string?)json["error"]);
    }

    [Fact]
    public async Task Rest_infer_accepts_base64_encoded_images()
    {
        var body = new { inputs = new[] { new { name = "image", shape = new[] { 1 }, datatype = "BYTES", data = new[] { Convert.ToBase64String(TestImages.Png(64, 64)) } } } };

        using var response = await Service.Client.PostAsJsonAsync($"v2/models/{Model}/infer", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["outputs"]![0]!;
        Assert.Equal(1000, output["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Health_and_metadata_over_grpc_describe_the_real_model()
    {
        Assert.True((await Client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.True((await Client.ModelReadyAsync(new ModelReadyRequest { Name = Model })).Ready);
        var server = await Client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("mobilevit-service", server.Name);
        Assert.False(string.IsNullOrEmpty(server.Version));

        var metadata = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = Model });
        Assert.Equal(Model, metadata.Name);
        Assert.Contains(metadata.Inputs, i => i.Name == "pixel_values" && i.Datatype == "FP32" && i.Shape.SequenceEqual([-1L, 3, 256, 256]));
        Assert.Contains(metadata.Inputs, i => i.Name == "image" && i.Datatype == "BYTES" && i.Shape.SequenceEqual([-1L]));
        var output = Assert.Single(metadata.Outputs);
        Assert.Equal(("logits", "FP32"), (output.Name, output.Datatype));
        Assert.Equal([-1L, 1000], output.Shape);
    }

    [Fact]
    public async Task Health_and_metadata_over_rest()
    {
        Assert.Equal(HttpStatusCode.OK, (await Service.Client.GetAsync("v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Service.Client.GetAsync("v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Service.Client.GetAsync($"v2/models/{Model}/ready")).StatusCode);
        var server = JsonNode.Parse(await Service.Client.GetStringAsync("v2"))!;
        Assert.Equal("mobilevit-service", (string?)server["name"]);
        Assert.NotNull(server["extensions"]);

        var metadata = JsonNode.Parse(await Service.Client.GetStringAsync($"v2/models/{Model}"))!;
        Assert.Equal(Model, (string?)metadata["name"]);
        Assert.Equal("onnxruntime_onnx", (string?)metadata["platform"]);
        var inputs = metadata["inputs"]!.AsArray();
        Assert.Equal(JsonSerializer.Serialize(new[] { -1, 3, 256, 256 }), inputs.First(i => (string?)i!["name"] == "pixel_values")!["shape"]!.ToJsonString());
        Assert.Equal("[-1,1000]", metadata["outputs"]![0]!["shape"]!.ToJsonString());
    }
}
