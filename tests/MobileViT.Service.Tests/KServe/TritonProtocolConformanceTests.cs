using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MobileViT.Service.Tests.KServe;

/// <summary>
/// The request and response examples of Triton's protocol documents (docs/protocol/extension_binary_data.md,
/// extension_classification.md, extension_statistics.md, extension_model_configuration.md) and KServe's Open
/// Inference Protocol, with the example model's tensors replaced by this model's: each test sends the documented
/// request form and checks the documented response form, field by field.
/// </summary>
public sealed partial class TritonProtocolConformanceTests(SharedFixtureModelService fixture) : IClassFixture<SharedFixtureModelService>
{
    private const string Model = SharedFixtureModelService.Model;
    private HttpClient Http => fixture.Service.Client;
    private static readonly byte[] OneSample = BinaryTensorBody.Floats(SharedFixtureModelService.ProbeInput[..(3 * 256 * 256)]);

    [Fact]
    public async Task Binary_data_example_octet_stream_request_with_binary_input_and_binary_output()
    {
        // The document's request: Content-Type application/octet-stream, Inference-Header-Content-Length <xx>,
        // Content-Length <xx+size>, "model_name", inputs with parameters.binary_data_size, outputs with binary_data true.
        var header = new
        {
            model_name = Model,
            inputs = new[] { new { name = "pixel_values", shape = new[] { 1, 3, 256, 256 }, datatype = "FP32", parameters = new { binary_data_size = OneSample.Length } } },
            outputs = new[] { new { name = "logits", parameters = new { binary_data = true } } },
        };
        var content = BinaryTensorBody.Content(header, OneSample);
        var headerLength = int.Parse(content.Headers.GetValues(BinaryTensorBody.HeaderLength).Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(headerLength + OneSample.Length, (await content.ReadAsByteArrayAsync()).Length);

        using var response = await Http.PostAsync($"v2/models/{Model}/infer", content);

        // The document's response: 200, application/octet-stream, Inference-Header-Content-Length <yy>,
        // Content-Length <yy+24> for its [3,2] FP32 output (here [1,1000]: 4000 bytes), the output's
        // parameters.binary_data_size and no "data".
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var (json, binary) = await BinaryTensorBody.ReadAsync(response);
        Assert.Equal(int.Parse(response.Headers.GetValues(BinaryTensorBody.HeaderLength).Single(), System.Globalization.CultureInfo.InvariantCulture) + 4000,
            response.Content.Headers.ContentLength);
        var output = Assert.Single(json["outputs"]!.AsArray())!;
        Assert.Equal(("logits", "FP32", "[1,1000]"), ((string?)output["name"], (string?)output["datatype"], output["shape"]!.ToJsonString()));
        Assert.Equal(4000, (int)output["parameters"]!["binary_data_size"]!);
        Assert.Null(output["data"]);
        Assert.Equal(4000, binary.Length);
    }

    [Fact]
    public async Task Classification_example_id_42_with_classification_2()
    {
        // The document's request: "id": "42", JSON data, outputs [{ "name", "parameters": { "classification": 2 } }].
        var body = """
            {"id":"42","inputs":[{"name":"pixel_values","shape":[1,3,256,256],"datatype":"FP32","data":DATA}],
             "outputs":[{"name":"logits","parameters":{"classification":2}}]}
            """.Replace("DATA", "[" + string.Join(",", SharedFixtureModelService.ProbeInput[..(3 * 256 * 256)].Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]", StringComparison.Ordinal);

        using var response = await Http.PostAsync($"v2/models/{Model}/infer", new StringContent(body, Encoding.UTF8, "application/json"));

        // The document's response: the id echoed; the output as a string tensor of "value:index:label", largest first
        // (this protocol version's type name is BYTES, shape [batch, count]).
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("42", (string?)json["id"]);
        var output = Assert.Single(json["outputs"]!.AsArray())!;
        Assert.Equal(("logits", "BYTES", "[1,2]"), ((string?)output["name"], (string?)output["datatype"], output["shape"]!.ToJsonString()));
        var data = output["data"]!.AsArray().Select(n => (string)n!).ToArray();
        Assert.All(data, d => Assert.Matches(ClassificationString(), d));
        Assert.True(float.Parse(data[0].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)
            >= float.Parse(data[1].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^-?\d+(\.\d+)?(E[-+]?\d+)?:\d+:.+$")]
    private static partial Regex ClassificationString();

    [Fact]
    public async Task Statistics_example_shape_of_model_stats()
    {
        (await Http.PostAsync($"v2/models/{Model}/infer", BinaryTensorBody.Content(new
        {
            inputs = new[] { new { name = "pixel_values", shape = new[] { 1, 3, 256, 256 }, datatype = "FP32", parameters = new { binary_data_size = OneSample.Length } } },
        }, OneSample))).EnsureSuccessStatusCode();

        // $stats_model_response = { "model_stats": [ $model_stat ] }; $model_stat has name, version, last_inference,
        // inference_count, execution_count, inference_stats, batch_stats; every duration is { "count", "ns" }.
        var stats = (await Http.GetFromJsonAsync<JsonNode>($"v2/models/{Model}/versions/1/stats"))!;
        var stat = Assert.Single(stats["model_stats"]!.AsArray())!.AsObject();
        Assert.Equal(["name", "version", "last_inference", "inference_count", "execution_count", "inference_stats", "batch_stats"], stat.Select(p => p.Key));
        var inference = stat["inference_stats"]!.AsObject();
        foreach (var key in new[] { "success", "fail", "queue", "compute_input", "compute_infer", "compute_output", "cache_hit" })
            AssertDuration(inference[key]);
        var batch = stat["batch_stats"]!.AsArray()[0]!.AsObject();
        Assert.True((long)batch["batch_size"]! >= 1);
        foreach (var key in new[] { "compute_input", "compute_infer", "compute_output" })
            AssertDuration(batch[key]);
    }

    private static void AssertDuration(JsonNode? duration)
    {
        Assert.NotNull(duration);
        Assert.Equal(["count", "ns"], duration.AsObject().Select(p => p.Key));
        Assert.True((long)duration["count"]! >= 0 && (long)duration["ns"]! >= 0);
    }

    [Theory]
    [InlineData("v2/models/nope/stats", HttpStatusCode.NotFound)]
    [InlineData("v2/models/nope/config", HttpStatusCode.NotFound)]
    [InlineData("v2/models/nope", HttpStatusCode.NotFound)]
    public async Task Error_example_a_failed_request_has_an_error_status_and_an_error_string(string path, HttpStatusCode status)
    {
        // $..._error_response = { "error": <error message string> }
        using var response = await Http.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["error"], json.Select(p => p.Key));
        Assert.False(string.IsNullOrEmpty((string?)json["error"]));
    }

    [Fact]
    public async Task Model_configuration_example_is_the_json_form_of_model_config()
    {
        // The document: the response is the JSON representation of the ModelConfig message (model_config.proto).
        var config = (await Http.GetFromJsonAsync<JsonNode>($"v2/models/{Model}/config"))!.AsObject();

        foreach (var key in new[] { "name", "platform", "max_batch_size", "input", "output", "dynamic_batching", "instance_group" })
            Assert.True(config.ContainsKey(key), key);
        Assert.All(config["input"]!.AsArray(), i => Assert.StartsWith("TYPE_", (string?)i!["data_type"]));
    }

    [Fact]
    public async Task Server_metadata_example_has_name_version_and_extensions()
    {
        // KServe: $metadata_server_response = { "name", "version", "extensions": [ $string, ... ] }.
        var server = (await Http.GetFromJsonAsync<JsonNode>("v2"))!.AsObject();

        Assert.Equal(["name", "version", "extensions"], server.Select(p => p.Key));
    }
}
