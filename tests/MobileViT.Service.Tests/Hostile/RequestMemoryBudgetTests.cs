using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>
/// The request memory budget over the real server: a budget of 3 MiB and images of up to 1 MB. Uploads held open
/// that cannot all fit: whichever reaches the end of the budget is refused with 503 and Retry-After before it reads
/// more, counted under its own outcome; the others are read. A batch is worked on part by part, so its size is not
/// bounded by the budget.
/// </summary>
public sealed class RequestMemoryBudgetTests : IAsyncLifetime
{
    private const long Budget = 3L << 20;
    private const int MaxImageBytes = 1_000_000;
    private const int PartBytes = 900_000;
    private const string Boundary = "budget-test-boundary";

    private RunningService _service = null!;
    private RequestCounter _requests = null!;

    public async Task InitializeAsync()
    {
        _service = await RunningService.StartAsync(new Dictionary<string, string>(HostileServiceFixture.Settings(Budget))
        {
            ["MobileViT:Limits:MaxImageBytes"] = MaxImageBytes.ToString(),
            // A batch holds the images in flight (batch size x instances, here 1) and the part being read, each reserved
            // in buffer chunks a little over its size: one in flight and one arriving fit in the budget with room to
            // spare, so a batch is never too large for it on its own, however slowly its images run (with two in flight,
            // three parts' chunks came to the whole budget, and a slow run made the batch 413).
            ["MobileViT:Batching:MaxBatchSize"] = "1",
        });
        _requests = new RequestCounter(_service.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
    }

    public async Task DisposeAsync()
    {
        _requests.Dispose();
        await _service.DisposeAsync();
    }

    private RequestMemoryBudget BudgetOfService => _service.App.Services.GetRequiredService<RequestMemoryBudget>();

    /// <summary>One image part sent whole, then the body held open before its closing boundary until <paramref name="hold"/> completes.</summary>
    private Task<RawHttpClient.Response> SendImageHeldBeforeTheEndAsync(int seed, Task hold)
    {
        var bytes = new byte[PartBytes];
        new Random(seed).NextBytes(bytes);
        return new RawHttpClient(_service.BaseAddress).SendAsync($"/v1/models/{HostileServiceFixture.Model}/classify",
            [("Content-Type", $"multipart/form-data; boundary={Boundary}")], MultipartBody.Of(Boundary, [("image", $"{seed}.jpg", bytes)], closed: false),
            contentLength: null, hold: hold, rest: System.Text.Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
    }

    [Fact]
    public async Task Uploads_that_cannot_all_fit_are_refused_with_503_and_Retry_After_and_the_others_are_read_whole()
    {
        Assert.Equal(Budget, BudgetOfService.Capacity);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Five images of 900 KB held open in a budget of 3 MiB: at most three fit.
        var sends = Enumerable.Range(1, 5).Select(seed => SendImageHeldBeforeTheEndAsync(seed, release.Task)).ToList();

        // The others are held open until released, so the first answer is a refusal.
        var first = await (await Task.WhenAny(sends).WaitAsync(TimeSpan.FromSeconds(30)));
        release.SetResult();
        var answers = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(503, first.Status);
        Assert.True(int.Parse(first.Headers["Retry-After"]) >= 1);
        Assert.Contains(MemoryBudgetExceededException.BudgetCode, first.Body);
        var refused = answers.Count(a => a.Status == 503);
        // Read whole: random bytes are then refused as an image (400), which needs all of them.
        Assert.InRange(answers.Count(a => a.Status == 400), 1, 3);
        Assert.Equal(answers.Length, refused + answers.Count(a => a.Status == 400));
        Assert.Equal(refused, _requests.Count(HostileServiceFixture.Model, "normal", RequestOutcome.Of(ErrorKind.OverMemoryBudget)));
        Assert.Equal(refused, BudgetOfService.Refusals);
        Assert.Equal(0, BudgetOfService.Held);
    }

    [Fact]
    public async Task A_batch_larger_than_the_whole_budget_is_worked_on_part_by_part_and_answered()
    {
        var random = new Random(3);
        var parts = Enumerable.Range(0, 4).Select(i =>
        {
            var bytes = new byte[PartBytes];
            random.NextBytes(bytes);
            return ("images", (string?)$"{i}.jpg", bytes);
        });
        var content = new ByteArrayContent(MultipartBody.Of(Boundary, parts));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={Boundary}");

        // 3.6 MB of parts against a budget of 3 MiB: each part gives its share back once it has run.
        using var response = await _service.Client.PostAsync($"v1/models/{HostileServiceFixture.Model}/classify/batch", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        Assert.All(results, r => Assert.Equal(400, r.GetProperty("error").GetProperty("status").GetInt32()));
        Assert.Equal(0, BudgetOfService.Refusals);
        Assert.Equal(0, BudgetOfService.Held);
    }

    [Fact]
    public async Task The_budget_its_holdings_and_its_refusals_are_exported_to_Prometheus()
    {
        var metrics = await _service.Client.GetStringAsync("metrics");

        // Names and types only: other services in this test process export the same process-wide instruments.
        Assert.Contains("# TYPE mobilevit_request_memory_capacity_bytes gauge", metrics);
        Assert.Contains("# TYPE mobilevit_request_memory_held_bytes gauge", metrics);
        Assert.Contains("# TYPE mobilevit_request_memory_refusals_total counter", metrics);
    }
}
