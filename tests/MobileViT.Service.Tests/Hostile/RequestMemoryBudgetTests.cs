using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>
/// The request memory budget over the real server: a budget of 3 MiB and images of up to 1 MB. Two batch uploads that
/// each hold about 1.9 MiB while their last part arrives cannot both fit: whichever reaches the end of the budget first
/// is refused with 503 and Retry-After before it reads more, counted under its own outcome; the other is served.
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
        });
        _requests = new RequestCounter(_service.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
    }

    public async Task DisposeAsync()
    {
        _requests.Dispose();
        await _service.DisposeAsync();
    }

    private RequestMemoryBudget BudgetOfService => _service.App.Services.GetRequiredService<RequestMemoryBudget>();

    /// <summary>Two parts sent whole, then the body held open before its closing boundary until <paramref name="hold"/> completes.</summary>
    private Task<RawHttpClient.Response> SendBatchHeldBeforeTheEndAsync(int seed, Task hold)
    {
        var random = new Random(seed);
        var parts = Enumerable.Range(0, 2).Select(i =>
        {
            var bytes = new byte[PartBytes];
            random.NextBytes(bytes);
            return ("images", (string?)$"{seed}-{i}.jpg", bytes);
        });
        return new RawHttpClient(_service.BaseAddress).SendAsync($"/v1/models/{HostileServiceFixture.Model}/classify/batch",
            [("Content-Type", $"multipart/form-data; boundary={Boundary}")], MultipartBody.Of(Boundary, parts, closed: false), contentLength: null,
            hold: hold, rest: System.Text.Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
    }

    [Fact]
    public async Task Of_two_uploads_that_cannot_both_fit_one_is_refused_with_503_and_Retry_After_and_the_other_is_served()
    {
        Assert.Equal(Budget, BudgetOfService.Capacity);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = new[] { SendBatchHeldBeforeTheEndAsync(1, release.Task), SendBatchHeldBeforeTheEndAsync(2, release.Task) };

        var first = await Task.WhenAny(sends).WaitAsync(TimeSpan.FromSeconds(30));
        var refused = await first;
        release.SetResult();
        var served = await sends.Single(s => s != first);

        Assert.Equal(503, refused.Status);
        Assert.True(int.Parse(refused.Headers["Retry-After"]) >= 1);
        Assert.Contains(MemoryBudgetExceededException.BudgetCode, refused.Body);
        Assert.Equal(200, served.Status);
        Assert.Equal(1, _requests.Count(HostileServiceFixture.Model, "normal", RequestOutcome.Of(ErrorKind.OverMemoryBudget)));
        Assert.Equal(1, BudgetOfService.Refusals);
        Assert.Equal(0, BudgetOfService.Held);
    }

    [Fact]
    public async Task A_batch_that_alone_needs_more_than_the_whole_budget_is_413_not_told_to_retry()
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

        using var response = await _service.Client.PostAsync($"v1/models/{HostileServiceFixture.Model}/classify/batch", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("RequestMemoryBytes", await response.Content.ReadAsStringAsync());
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
