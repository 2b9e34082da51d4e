using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

public sealed class ClassifyApiTests(SmallModelServiceFixture fixture) : IClassFixture<SmallModelServiceFixture>
{
    private HttpClient Client => fixture.Service.Client;

    private static ByteArrayContent Body(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Fact]
    public async Task A_jpeg_body_gets_top5_softmax_predictions_sorted_with_timing_headers()
    {
        using var response = await Client.PostAsync("v1/classify", Body(TestImages.SharedJpeg(), "image/jpeg"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("tiny", json.GetProperty("model").GetString());
        Assert.True(json.GetProperty("synthetic").GetBoolean());
        var predictions = json.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(5, predictions.Count);
        var scores = predictions.Select(p => p.GetProperty("score").GetSingle()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.All(scores, s => Assert.InRange(s, 0f, 1f));
        Assert.All(predictions, p => Assert.False(string.IsNullOrEmpty(p.GetProperty("label").GetString())));
        Assert.Equal(predictions.Count, predictions.Select(p => p.GetProperty("index").GetInt32()).Distinct().Count());

        Assert.True(double.Parse(response.Headers.GetValues("x-queue-time-ms").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.True(double.Parse(response.Headers.GetValues("x-inference-time-ms").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.InRange(int.Parse(response.Headers.GetValues("x-batch-size").Single()), 1, 8);
    }

    [Fact]
    public async Task All_classes_sum_to_one_and_the_named_route_and_multipart_agree_with_the_raw_body()
    {
        var image = TestImages.Jpeg(seed: 7);
        using var raw = await Client.PostAsync("v1/classify?topK=1000", Body(image, "application/octet-stream"));
        var all = (await raw.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(1000, all.Count);
        Assert.Equal(1.0, all.Sum(p => (double)p.GetProperty("score").GetSingle()), 3);

        using var form = new MultipartFormDataContent { { Body(image, "image/jpeg"), "image", "cat.jpg" } };
        using var multipart = await Client.PostAsync("v1/models/tiny/classify?topK=3", form);
        Assert.Equal(HttpStatusCode.OK, multipart.StatusCode);
        var top3 = (await multipart.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(all.Take(3).Select(p => p.GetProperty("index").GetInt32()), top3.Select(p => p.GetProperty("index").GetInt32()));
        Assert.Equal(all[0].GetProperty("score").GetSingle(), top3[0].GetProperty("score").GetSingle(), 5);
    }

    [Fact]
    public async Task Concurrent_clients_are_batched_together()
    {
        var image = TestImages.Jpeg(seed: 3);
        var tasks = Enumerable.Range(0, 64).Select(async _ =>
        {
            using var response = await Client.PostAsync("v1/classify", Body(image, "image/jpeg"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return int.Parse(response.Headers.GetValues("x-batch-size").Single());
        });
        var batchSizes = await Task.WhenAll(tasks);

        Assert.Contains(batchSizes, size => size > 1);
    }

    [Fact]
    public async Task A_batch_request_returns_results_in_order_with_a_per_image_error()
    {
        var images = new[] { TestImages.Jpeg(seed: 1), TestImages.Png(seed: 2), "not an image"u8.ToArray(), TestImages.Jpeg(seed: 4) };
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < images.Length; i++)
            form.Add(Body(images[i], "application/octet-stream"), "images", $"img{i}");

        using var response = await Client.PostAsync("v1/models/tiny/classify/batch?topK=2", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        Assert.Equal(["img0", "img1", "img2", "img3"], results.Select(r => r.GetProperty("fileName").GetString()));
        Assert.Equal(400, results[2].GetProperty("error").GetProperty("status").GetInt32());
        foreach (var i in new[] { 0, 1, 3 })
        {
            using var single = await Client.PostAsync("v1/models/tiny/classify?topK=2", Body(images[i], "application/octet-stream"));
            var expected = (await single.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions");
            Assert.Equal(expected.EnumerateArray().Select(p => p.GetProperty("index").GetInt32()),
                results[i].GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("index").GetInt32()));
        }
    }

    [Fact]
    public async Task Models_are_listed_with_provider_batching_and_readiness()
    {
        var list = await Client.GetFromJsonAsync<JsonElement>("v1/models");
        Assert.Equal("tiny", list.GetProperty("defaultModel").GetString());
        var model = list.GetProperty("models").EnumerateArray().Single();
        Assert.Equal("tiny", model.GetProperty("name").GetString());
        Assert.Equal("synthetic:xxs", model.GetProperty("source").GetString());
        Assert.True(model.GetProperty("synthetic").GetBoolean());
        Assert.True(model.GetProperty("ready").GetBoolean());
        Assert.Equal("CPU", model.GetProperty("executionProvider").GetString());
        Assert.Equal(1000, model.GetProperty("labelCount").GetInt32());
        Assert.Equal(256, model.GetProperty("inputSize").GetProperty("height").GetInt32());
        Assert.Equal(2, model.GetProperty("instances").GetInt32());
        Assert.Equal(8, model.GetProperty("batching").GetProperty("maxBatchSize").GetInt32());

        var one = await Client.GetFromJsonAsync<JsonElement>("v1/models/tiny");
        Assert.Equal("tiny", one.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Swagger_documents_every_endpoint()
    {
        var document = await Client.GetFromJsonAsync<JsonElement>("swagger/v1/swagger.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/v1/classify", "/v1/models/{name}/classify", "/v1/models/{name}/classify/batch", "/v1/models", "/v1/models/{name}" })
            Assert.True(paths.TryGetProperty(path, out _), path);
        var body = paths.GetProperty("/v1/classify").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.True(body.TryGetProperty("image/jpeg", out _));

        using var ui = await Client.GetAsync("swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }
}
