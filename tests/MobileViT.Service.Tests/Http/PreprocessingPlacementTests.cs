using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MobileViT.Inference.Configuration;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

/// <summary>
/// Images preprocessed on the batcher's workers (the CPU default) and on request threads (the CUDA default) give the
/// same answers and the same errors.
/// </summary>
public sealed class PreprocessingPlacementTests : IAsyncLifetime
{
    private readonly Dictionary<PreprocessingPlacement, RunningService> _services = [];

    public async Task InitializeAsync()
    {
        foreach (var placement in new[] { PreprocessingPlacement.Worker, PreprocessingPlacement.Request })
        {
            var settings = new Dictionary<string, string>(RunningService.SmallModel())
            {
                ["MobileViT:Execution:Preprocessing"] = placement.ToString().ToLowerInvariant(),
            };
            _services[placement] = await RunningService.StartAsync(settings);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var service in _services.Values)
            await service.DisposeAsync();
    }

    private static ByteArrayContent Jpeg(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return content;
    }

    [Fact]
    public void Both_placements_are_the_ones_configured()
    {
        foreach (var (placement, service) in _services)
        {
            Assert.True(service.Registry.TryGetLoaded("tiny", out var model));
            Assert.Equal(placement, model.Preprocessing);
        }
    }

    [Fact]
    public async Task Both_placements_give_identical_scores_and_report_preprocessing_time()
    {
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var image = TestImages.Jpeg(seed: seed);
            var scores = new List<float[]>();
            foreach (var service in _services.Values)
            {
                using var response = await service.Client.PostAsync("v1/classify?topK=1000", Jpeg(image));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True(double.Parse(response.Headers.GetValues("x-preprocess-time-ms").Single(), CultureInfo.InvariantCulture) > 0);
                var predictions = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray();
                scores.Add(predictions.OrderBy(p => p.GetProperty("index").GetInt32()).Select(p => p.GetProperty("score").GetSingle()).ToArray());
            }
            Assert.Equal(scores[0], scores[1]);
        }
    }

    [Fact]
    public async Task A_jpeg_that_breaks_off_after_its_header_is_a_400_problem_in_both_and_runs_nothing()
    {
        var jpeg = TestImages.SharedJpeg();
        foreach (var service in _services.Values)
        {
            Assert.True(service.Registry.TryGetLoaded("tiny", out var model));
            var before = model.Batcher.ImagesRun;
            using var response = await service.Client.PostAsync("v1/classify", Jpeg(jpeg[..(jpeg.Length / 2)]));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(before, model.Batcher.ImagesRun);
            using var good = await service.Client.PostAsync("v1/classify", Jpeg(jpeg));
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        }
    }
}
