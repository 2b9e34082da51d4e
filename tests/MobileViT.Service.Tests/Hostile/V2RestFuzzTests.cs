using System.Buffers.Binary;
using System.Text.Json.Nodes;
using MobileViT.Service.Tests.Infrastructure;
using MobileViT.Service.Tests.KServe;
using Xunit.Abstractions;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>
/// Mutated KServe V2 REST requests, JSON and binary (Triton's binary tensor data): lengths, counts, shapes and
/// parameters at the edges of their types, data of the wrong kind, properties written twice, bodies cut short or
/// flipped, header lengths that lie. Each gets a success or a 4xx, and the service logs no error.
/// </summary>
public sealed class V2RestFuzzTests(HostileServiceFixture fixture, ITestOutputHelper output) : IClassFixture<HostileServiceFixture>
{
    public const int JsonCases = 150;
    public const int BinaryCases = 200;
    private const string Infer = $"/v2/models/{HostileServiceFixture.Model}/infer";

    private static readonly byte[] Jpeg = TestImages.Jpeg(48, 40, seed: 5);
    private static readonly byte[] Png = TestImages.Png(40, 48, seed: 6);

    [Fact]
    public async Task Mutated_JSON_requests_get_a_success_or_a_4xx_and_log_no_error()
    {
        var failures = await Fuzz.RunAsync(0, JsonCases, JsonCaseAsync, output);
        Assert.True(failures.Count == 0, Fuzz.Report(failures));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Mutated_binary_requests_get_a_success_or_a_4xx_and_log_no_error()
    {
        var failures = await Fuzz.RunAsync(0, BinaryCases, BinaryCaseAsync, output);
        Assert.True(failures.Count == 0, Fuzz.Report(failures));
        await AssertHealthyAsync();
    }

    /// <summary>
    /// Seeds that once failed, replayed on every run. Both were 500s before issue 20. JSON 71: <c>parameters.timeout</c>
    /// of -2^63 + 1 overflowed TimeSpan.FromMicroseconds. Binary 197: a chunked body whose binary_data_size was 2^31 - 4
    /// made the reader rent that much before any data arrived (OutOfMemoryException).
    /// </summary>
    [Theory]
    [InlineData("json", 71)]
    [InlineData("binary", 197)]
    public async Task Kept_regression_seeds_still_pass(string form, int seed)
    {
        var failures = await Fuzz.RunAsync(seed, 1, form == "json" ? JsonCaseAsync : BinaryCaseAsync);
        Assert.True(failures.Count == 0, Fuzz.Report(failures));
        Assert.Empty(fixture.Errors());
    }

    private async Task AssertHealthyAsync()
    {
        Assert.Empty(fixture.Errors());
        var body = Fuzz.Utf8(new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["name"] = "image", ["shape"] = new JsonArray(1), ["datatype"] = "BYTES", ["data"] = new JsonArray(Convert.ToBase64String(Jpeg)) }),
        }.ToJsonString());
        var ok = await fixture.Raw.SendAsync(Infer, [("Content-Type", "application/json")], body, body.Length);
        Assert.True(ok.Status == 200, ok.Body);
    }

    private static JsonObject ImageInput(Random random, int count) => new()
    {
        ["name"] = "image",
        ["shape"] = new JsonArray(count),
        ["datatype"] = "BYTES",
        ["data"] = new JsonArray(Enumerable.Range(0, count).Select(_ => (JsonNode)Convert.ToBase64String(Fuzz.Image(random, Jpeg, Png, HostileServiceFixture.MaxImageBytes))).ToArray()),
    };

    private static (JsonObject Json, bool SetTimeout) ValidJson(Random random) => (new JsonObject
    {
        ["id"] = "fuzz",
        ["inputs"] = new JsonArray(random.Next(10) == 0
            ? new JsonObject { ["name"] = "pixel_values", ["shape"] = new JsonArray(1, 3, 2, 2), ["datatype"] = "FP32", ["data"] = new JsonArray(Enumerable.Range(0, 12).Select(i => (JsonNode)(i * 0.5)).ToArray()) }
            : ImageInput(random, 1 + random.Next(2))),
        ["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits", ["parameters"] = new JsonObject { ["classification"] = 3 } }),
    }, false);

    private async Task<FuzzAnswer> JsonCaseAsync(int seed)
    {
        var random = new Random(seed);
        var (json, _) = ValidJson(random);
        var setTimeout = false;
        var applied = new List<string>();
        for (var m = 0; m < random.Next(3); m++)
            applied.Add(MutateJson(random, json, ref setTimeout));
        var text = json.ToJsonString();
        switch (random.Next(8))
        {
            case 0:
                text = Fuzz.DuplicateProperty(random, text, Fuzz.Pick(random, "inputs", "shape", "data", "parameters", "name", "timeout"));
                applied.Add("duplicated property");
                break;
            case 1:
                text = text[..random.Next(text.Length)];
                applied.Add("cut short");
                break;
            case 2:
                text = Fuzz.Pick(random, "", "[]", "1", "\"x\"", "null", "{", "{}", new string('[', 100_000));
                applied.Add("not a request object");
                break;
        }
        var body = Fuzz.Utf8(text);
        var chunked = random.Next(3) == 0;
        var response = await fixture.Raw.SendAsync(Infer, [("Content-Type", "application/json")], body, chunked ? null : body.Length);
        return new FuzzAnswer($"JSON ({string.Join(", ", applied)}) {Fuzz.Cut(text, 200)}", response.Status, Detail: response.Body) { SetTimeout = setTimeout };
    }

    private static string MutateJson(Random random, JsonObject json, ref bool setTimeout)
    {
        if (json["inputs"] is not JsonArray inputs)
            json["inputs"] = inputs = new JsonArray();
        var input = inputs.Count > 0 && inputs[0] is JsonObject first ? first : new JsonObject();
        switch (random.Next(16))
        {
            case 0:
                input["shape"] = new JsonArray(Enumerable.Range(0, random.Next(12)).Select(_ => Fuzz.EdgeNumberNode(random)).ToArray());
                return "shape";
            case 1:
                input["shape"] = new JsonArray(Fuzz.EdgeNumberNode(random));
                return "shape[0]";
            case 2:
                input["datatype"] = Fuzz.Pick<JsonNode?>(random, "INT64", "", "bytes", "FP16", 5, null, new string('D', 3000));
                return "datatype";
            case 3:
                input["name"] = Fuzz.Pick<JsonNode?>(random, "", null, 7, Fuzz.EdgeString(random));
                return "name";
            case 4:
                input["data"] = Fuzz.Pick<JsonNode?>(random, new JsonArray(), new JsonArray(new JsonArray()), "data", null, new JsonObject(), new JsonArray(1, 2, 3),
                    new JsonArray("!!not base64!!"), new JsonArray(Convert.ToBase64String(Fuzz.Random(random, 100))), new JsonArray(1e39), new JsonArray(true));
                return "data";
            case 5:
                JsonNode nested = new JsonArray(Convert.ToBase64String(Jpeg));
                for (var i = 0; i < random.Next(40, 80); i++)
                    nested = new JsonArray(nested);
                input["data"] = nested;
                return "deeply nested data";
            case 6:
                var many = ImageInput(random, random.Next(3, 9));
                many["shape"] = new JsonArray(random.Next(0, 12));
                inputs.Clear();
                inputs.Add(many);
                return "many images";
            case 7:
                json["parameters"] = new JsonObject { ["timeout"] = Fuzz.EdgeNumberNode(random) };
                setTimeout = true;
                return "timeout";
            case 8:
                json["parameters"] = new JsonObject { ["priority"] = Fuzz.EdgeNumberNode(random) };
                return "priority";
            case 9:
                json["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits", ["parameters"] = new JsonObject { ["classification"] = Fuzz.EdgeNumberNode(random) } });
                return "classification";
            case 10:
                json["outputs"] = Fuzz.Pick<JsonNode?>(random, new JsonArray(), null, "logits", new JsonArray(new JsonObject { ["name"] = Fuzz.EdgeString(random) }),
                    new JsonArray(Enumerable.Range(0, 20).Select(_ => (JsonNode)new JsonObject { ["name"] = "logits" }).ToArray()));
                return "outputs";
            case 11:
                var copies = random.Next(2, 20);
                var copied = input.ToJsonString();
                inputs.Clear();
                for (var i = 0; i < copies; i++)
                    inputs.Add(JsonNode.Parse(copied));
                return $"{copies} inputs";
            case 12:
                json["parameters"] = Fuzz.Pick<JsonNode?>(random, new JsonArray(), "p", 5, null,
                    new JsonObject { ["binary_data_output"] = Fuzz.EdgeNumberNode(random) });
                return "request parameters";
            case 13:
                input["parameters"] = new JsonObject { ["binary_data_size"] = Fuzz.EdgeNumberNode(random) };
                return "binary_data_size without binary";
            case 14:
                json.Remove(Fuzz.Pick(random, "inputs", "outputs", "id"));
                return "property removed";
            default:
                json["id"] = Fuzz.Pick<JsonNode?>(random, 5, null, new string('i', 5000), new JsonArray());
                return "id";
        }
    }

    private async Task<FuzzAnswer> BinaryCaseAsync(int seed)
    {
        var random = new Random(seed);
        var fp32 = random.Next(4) == 0;
        var images = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Fuzz.Image(random, Jpeg, Png, HostileServiceFixture.MaxImageBytes)).ToList();
        var shape = fp32 ? new JsonArray(1, 3, 256, 256) : new JsonArray(images.Count);
        var data = fp32 ? new byte[1 * 3 * 256 * 256 * 4] : BinaryTensorBody.Elements([.. images]);
        var input = new JsonObject
        {
            ["name"] = fp32 ? "pixel_values" : "image", ["shape"] = shape, ["datatype"] = fp32 ? "FP32" : "BYTES",
            ["parameters"] = new JsonObject { ["binary_data_size"] = data.Length },
        };
        var header = new JsonObject
        {
            ["inputs"] = new JsonArray(input),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits", ["parameters"] = new JsonObject { ["binary_data"] = random.Next(2) == 0 } }),
        };
        var applied = new List<string>();
        string? headerLength = null;
        var setTimeout = false;
        for (var m = 0; m < random.Next(3); m++)
        {
            // binary_data_size is what the binary reader trusts most: it gets a third of the mutations.
            var choice = random.Next(15);
            switch (choice >= 11 ? 0 : choice)
            {
                case 0:
                    // Half the time a size just around what arrays and 32-bit lengths can hold, or what the data is.
                    input["parameters"]!["binary_data_size"] = random.Next(2) == 0
                        ? Fuzz.EdgeNumberNode(random)
                        : Fuzz.Pick<long>(random, int.MaxValue, int.MaxValue - 3, 2_147_483_000, uint.MaxValue, long.MaxValue, 9_223_372_036_854_775_000, data.Length - 1, data.Length + 1);
                    applied.Add("binary_data_size " + input["parameters"]!["binary_data_size"]?.ToJsonString());
                    break;
                case 1:
                    headerLength = Fuzz.Pick(random, "0", "1", "-1", "abc", "", "2147483000", "2147483647", "2147483648", "9223372036854775807", "99999999999999999999", "1, 2", " 5");
                    applied.Add("header length " + headerLength);
                    break;
                case 2:
                    if (!fp32 && data.Length >= 4)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)Fuzz.Pick(random, 0L, 1L, uint.MaxValue, int.MaxValue, data.Length));
                        applied.Add("element length prefix");
                    }
                    break;
                case 3:
                    data = data[..random.Next(data.Length + 1)];
                    applied.Add("binary cut short");
                    break;
                case 4:
                    data = [.. data, .. Fuzz.Random(random, random.Next(1, 100))];
                    applied.Add("binary longer than declared");
                    break;
                case 5:
                    input["shape"] = new JsonArray(Enumerable.Range(0, random.Next(9)).Select(_ => Fuzz.EdgeNumberNode(random)).ToArray());
                    applied.Add("shape");
                    break;
                case 6:
                    header["inputs"]!.AsArray().Add(JsonNode.Parse(input.ToJsonString()));
                    applied.Add("input twice");
                    break;
                case 7:
                    input["data"] = new JsonArray(Convert.ToBase64String(Jpeg));
                    applied.Add("data and binary");
                    break;
                case 8:
                    header["parameters"] = new JsonObject { ["timeout"] = Fuzz.EdgeNumberNode(random), ["binary_data_output"] = true };
                    setTimeout = true;
                    applied.Add("timeout");
                    break;
                case 9:
                    input["datatype"] = Fuzz.Pick<JsonNode?>(random, "INT8", "FP32", "BYTES", "", null);
                    applied.Add("datatype");
                    break;
                default:
                    header["outputs"]![0]!["parameters"]!["classification"] = Fuzz.EdgeNumberNode(random);
                    applied.Add("classification");
                    break;
            }
        }
        var json = Fuzz.Utf8(header.ToJsonString());
        byte[] body = [.. json, .. data];
        long? contentLength = random.Next(5) switch
        {
            0 or 1 => null,
            2 when random.Next(4) == 0 => Math.Max(0, body.Length - random.Next(1, 1000)),
            _ => body.Length,
        };
        if (contentLength is { } length && length < body.Length)
        {
            body = body[..(int)length];
            applied.Add("Content-Length short of the body");
        }
        var response = await fixture.Raw.SendAsync(Infer,
            [("Content-Type", "application/octet-stream"), ("Inference-Header-Content-Length", headerLength ?? json.Length.ToString())], body, contentLength);
        return new FuzzAnswer($"binary ({string.Join(", ", applied)}) header {Fuzz.Cut(header.ToJsonString(), 200)}", response.Status, Detail: response.Body)
        {
            SetTimeout = setTimeout,
        };
    }
}
