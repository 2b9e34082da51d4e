using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Telemetry;

/// <summary>
/// A real Prometheus server scrapes the service's <c>/metrics</c> every second; after known traffic, its query API
/// must report exactly the requests, outcomes, images and bytes that were sent.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class PrometheusScrapeTests : IAsyncLifetime
{
    private const string Job = "mobilevit-test";
    private RunningService _service = null!;

    // A model name of its own: meter listeners are process-wide, and other tests run services concurrently.
    public async Task InitializeAsync() => _service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel(name: "scraped"))
    {
        ["MobileViT:Batching:MaxQueueDelayMs"] = "20",
        // The test sums what it sent: no start-up requests through the request path.
        ["MobileViT:WarmUp:RequestPath"] = "false",
    });

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private static ByteArrayContent Image(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    [Fact]
    public async Task Prometheus_reads_back_the_request_counts_batch_sizes_and_bytes_that_were_sent()
    {
        await using var prometheus = await PrometheusServer.StartAsync(_service.BaseAddress, Job);
        await AssertScrapedAsync(prometheus, $"up{{job=\"{Job}\"}}", 1);

        const int good = 24;
        const int bad = 3;
        var goodImages = Enumerable.Range(0, good).Select(i => TestImages.Png(64 + i, 48, seed: i)).ToList();
        var badImages = Enumerable.Range(0, bad).Select(i => Enumerable.Repeat((byte)(i + 1), 100 + i).ToArray()).ToList();
        // Concurrent waves so that batches of more than one image form.
        var batchSizes = new List<int>();
        foreach (var wave in goodImages.Chunk(8))
        {
            var responses = await Task.WhenAll(wave.Select(bytes => _service.Client.PostAsync("v1/classify", Image(bytes))));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            batchSizes.AddRange(responses.Select(r => int.Parse(r.Headers.GetValues("x-batch-size").Single())));
        }
        foreach (var bytes in badImages)
        {
            using var response = await _service.Client.PostAsync("v1/classify", Image(bytes));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        var selector = $"job=\"{Job}\",model=\"scraped\"";
        await AssertScrapedAsync(prometheus, $"sum(mobilevit_requests_total{{{selector},protocol=\"http\",outcome=\"success\"}})", good);
        await AssertScrapedAsync(prometheus, $"sum(mobilevit_requests_total{{{selector},outcome=\"bad_input\"}})", bad);
        // Every image that succeeded ran in exactly one batch: the batch sizes add up to the requests sent.
        await AssertScrapedAsync(prometheus, $"sum(mobilevit_batch_size_sum{{{selector}}})", good);
        var bytesSent = goodImages.Sum(b => b.Length) + badImages.Sum(b => b.Length);
        await AssertScrapedAsync(prometheus, $"sum(mobilevit_request_received_bytes_total{{{selector}}})", bytesSent);
        // Each request's end-to-end latency is recorded once, under its outcome.
        await AssertScrapedAsync(prometheus, $"sum(mobilevit_request_duration_seconds_count{{{selector},outcome=\"success\"}})", good);
        // Batches: at least as many as the largest batch size any response reported allows, at most one per image.
        var batches = await prometheus.QueryScalarAsync($"sum(mobilevit_batch_size_count{{{selector}}})");
        Assert.InRange(batches!.Value, Math.Ceiling((double)good / batchSizes.Max()), good);
        await AssertScrapedAsync(prometheus, $"sum(mobilevit_instances{{{selector},execution_provider=\"CPU\"}})", 2);
    }

    private static async Task AssertScrapedAsync(PrometheusServer prometheus, string promql, double expected)
    {
        var value = await prometheus.WaitForValueAsync(promql, expected, TimeSpan.FromSeconds(30));
        if (value != expected)
            Assert.Fail($"{promql} = {value?.ToString() ?? "(no result)"} after 30 s, expected {expected}.\n" +
                        $"Targets: {await prometheus.Client.GetStringAsync("api/v1/targets")}\nPrometheus log:\n{prometheus.Log}");
    }

    [Fact]
    public async Task Metrics_endpoint_output_passes_promtool_check_metrics()
    {
        var promtool = ExternalTool.Require("promtool", PrometheusServer.InstallHint);
        using (var response = await _service.Client.PostAsync("v1/classify", Image(TestImages.Png(64, 64))))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metrics = await _service.Client.GetStringAsync("metrics");
        Assert.Contains("mobilevit_requests_total{", metrics);
        Assert.Contains("# TYPE mobilevit_queue_wait_seconds histogram", metrics);

        var start = new ProcessStartInfo(promtool, "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"promtool check metrics exited with {process.ExitCode}:\n{await stdout}{await stderr}");
    }
}
