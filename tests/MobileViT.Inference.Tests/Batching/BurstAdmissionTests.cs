using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;

namespace MobileViT.Inference.Tests.Batching;

/// <summary>
/// Admission against a known drain rate on a fake clock: a burst admits what can finish by its deadline, and the
/// margin is calibrated from how right the predictions were.
/// </summary>
public sealed class BurstAdmissionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(1, 1, 100)] // 10 images/s: 10 can finish within 1 s
    [InlineData(2, 2, 100)] // 2 instances x batches of 2 every 100 ms: 40
    [InlineData(2, 4, 250)] // 2 x 4 every 250 ms: 32
    public async Task A_burst_admits_the_number_that_can_finish_by_the_deadline_to_within_one_batch(int instances, int maxBatch, int batchMs)
    {
        // The uncalibrated margin of 1: the rate is known exactly, as a calibrated quiet machine would have it.
        await using var model = new SteppedModel(new BatchingOptions { MaxBatchSize = maxBatch, WaitEstimateSafetyFactor = 1 }, instances);
        var batchTime = TimeSpan.FromMilliseconds(batchMs);
        await model.TeachAsync(batchTime);
        var canFinish = (int)(Deadline / batchTime) * instances * maxBatch;

        // A burst of 3x that, all at the same instant, before any of them is queued (their bodies are still being read).
        var arrived = model.Clock.GetTimestamp();
        var decisions = Enumerable.Range(0, 3 * canFinish).Select(_ => model.Admit(Deadline)).ToList();
        var admitted = decisions.Count(d => d.Admitted);

        Assert.InRange(admitted, canFinish - maxBatch, canFinish);
        Assert.All(decisions.Where(d => !d.Admitted), d => Assert.NotNull(d.RetryAfter));
        Assert.Equal(admitted, model.Batcher.ReservedOf(Serving.RequestPriority.Normal));

        // Every admitted request then runs before its deadline, at the rate the prediction assumed.
        var held = await model.HoldAsync();
        var queued = Enumerable.Range(0, admitted).Select(_ => model.Queue(arrived, Deadline)).ToArray();
        Assert.Equal(0, model.Batcher.ReservedOf(Serving.RequestPriority.Normal));
        await model.ReleaseHeld(held);
        for (var batch = 0; batch < admitted / maxBatch; batch += instances)
            await model.StepAsync(batchTime, Math.Min(instances, admitted / maxBatch - batch));
        var results = await Task.WhenAll(queued);
        Assert.All(results, r => Assert.True(r.QueueTime < Deadline));
    }

    [Fact]
    public async Task A_request_that_is_never_queued_gives_its_room_back_when_its_scope_ends()
    {
        await using var model = new SteppedModel(new BatchingOptions { MaxBatchSize = 1, WaitEstimateSafetyFactor = 1 }, 1);
        await model.TeachAsync(TimeSpan.FromMilliseconds(100));
        var admitted = Enumerable.Range(0, 10).Select(_ => model.Admit(Deadline)).ToList();
        Assert.All(admitted, d => Assert.True(d.Admitted));
        Assert.False(model.Admit(Deadline).Admitted);

        // One of them turned out to be invalid: its room goes to the next request.
        admitted[3].Reservation!.Dispose();

        Assert.Equal(9, model.Batcher.ReservedOf(Serving.RequestPriority.Normal));
        Assert.True(model.Admit(Deadline).Admitted);
    }

    [Fact]
    public async Task A_request_with_time_to_spare_waits_behind_a_later_burst_and_still_finishes_in_time()
    {
        await using var model = new SteppedModel(new BatchingOptions { MaxBatchSize = 1, WaitEstimateSafetyFactor = 1 }, 1);
        var batchTime = TimeSpan.FromMilliseconds(100);
        await model.TeachAsync(batchTime);
        var held = await model.HoldAsync(); // a batch of 100 ms running

        var patient = TimeSpan.FromSeconds(5);
        Assert.True(model.Admit(patient).Admitted);
        var waiting = model.Queue(model.Clock.GetTimestamp(), patient, marker: 99);
        // A burst of 1 s requests goes before it: after the running batch, 9 of them finish by 1 s. Had the patient
        // request kept its place ahead of them, 8 would.
        var arrived = model.Clock.GetTimestamp();
        var admitted = 0;
        while (model.Admit(Deadline).Admitted)
            admitted++;
        Assert.Equal(9, admitted);

        var burst = Enumerable.Range(1, admitted).Select(i => model.Queue(arrived, Deadline, marker: i)).ToArray();
        model.Clock.Advance(batchTime);
        await model.ReleaseHeld(held);
        for (var i = 0; i < admitted + 1; i++)
            await model.StepAsync(batchTime);
        await Task.WhenAll(burst.Append(waiting));
        Assert.Equal(99f, model.Runners[0].SeenMarkers[^1]);
        Assert.Equal(TimeSpan.FromSeconds(1.1), model.Clock.GetElapsedTime(arrived));
    }

    [Fact]
    public async Task A_request_that_would_make_an_admitted_one_late_is_refused_even_if_it_could_finish_itself()
    {
        await using var model = new SteppedModel(new BatchingOptions { MaxBatchSize = 1, WaitEstimateSafetyFactor = 1 }, 1);
        await model.TeachAsync(TimeSpan.FromMilliseconds(100));
        await model.HoldAsync();
        // Eight due in 1 s behind the running batch: the last finishes at 0.9 s.
        var arrived = model.Clock.GetTimestamp();
        for (var i = 0; i < 8; i++)
            Assert.True(model.Admit(Deadline).Admitted);
        for (var i = 0; i < 8; i++)
            _ = model.Queue(arrived, Deadline);

        // An urgent one goes first and finishes at 0.2 s; the last of the eight then finishes at 1.0 s: admitted.
        var urgent = TimeSpan.FromMilliseconds(500);
        Assert.True(model.Admit(urgent).Admitted);
        // A second urgent one would finish at 0.3 s, in time, but push the last of the eight to 1.1 s: refused.
        var refused = model.Admit(urgent);
        Assert.False(refused.Admitted);
        Assert.True(refused.Prediction!.Value.BreaksPromises);
        Assert.True(refused.Prediction!.Value.Finish < urgent);
    }

    [Fact]
    public async Task A_steady_drain_rate_narrows_the_margin_to_the_predictions_error_and_a_noisy_one_widens_it()
    {
        var steady = await CalibrateAsync(_ => 100);
        // The same mean speed, but each batch takes 40 to 160 ms.
        var noisy = await CalibrateAsync(i => new[] { 60, 140, 100, 40, 160, 120, 80 }[i % 7]);

        // From the uncalibrated 2, the steady model's margin goes to its predictions' error, none: it admits what
        // it can do (10 per second); the noisy one keeps a margin and admits fewer.
        Assert.InRange(steady.Margin.Factor, 1, 1.001);
        Assert.InRange(steady.Margin.Offset, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.Equal(10, steady.AdmittedLastBurst);
        // The noisy one's late tail (a batch can take 1.6x its mean) is kept as room on top of every prediction.
        Assert.True(noisy.Margin.Stretch(TimeSpan.FromSeconds(0.9)) >= TimeSpan.FromSeconds(0.95), $"noisy: {noisy.Margin}");
        Assert.True(noisy.AdmittedLastBurst < steady.AdmittedLastBurst, $"noisy: {noisy.AdmittedLastBurst} admitted");
        Assert.Equal(0, noisy.Expired);
    }

    /// <summary>
    /// Bursts of requests with 1 s deadlines against one instance whose batch of one takes <paramref name="batchMs"/>
    /// (the i-th batch run): each burst admits what the margin lets it, which then runs; returns the margin at the
    /// end and what the last burst admitted.
    /// </summary>
    private static async Task<(AdmissionMargin Margin, int AdmittedLastBurst, int Expired)> CalibrateAsync(Func<int, int> batchMs)
    {
        var options = new BatchingOptions { MaxBatchSize = 1, WaitEstimateSafetyFactor = 2, AdmissionCalibrationWindowMs = 600_000, DrainRateWindowMs = 600_000 };
        await using var model = new SteppedModel(options, 1);
        await model.TeachAsync(TimeSpan.FromMilliseconds(100), batches: 7);
        var batches = 0;
        var admittedLast = 0;
        var expired = 0;
        for (var burst = 0; burst < 20; burst++)
        {
            var arrived = model.Clock.GetTimestamp();
            var admitted = 0;
            while (model.Admit(Deadline).Admitted)
                admitted++;
            var held = await model.HoldAsync();
            var queued = Enumerable.Range(0, admitted).Select(_ => model.Queue(arrived, Deadline)).ToArray();
            await model.ReleaseHeld(held);
            for (var i = 0; i < admitted; i++)
            {
                if (model.Clock.GetElapsedTime(arrived) > Deadline)
                    break;
                await model.StepAsync(TimeSpan.FromMilliseconds(batchMs(batches++)));
            }
            foreach (var request in queued)
            {
                try
                {
                    await request;
                }
                catch (Serving.InferenceException e) when (e.Kind == Serving.ErrorKind.DeadlineExceeded)
                {
                    expired++;
                }
            }
            admittedLast = admitted;
        }
        return (model.Batcher.AdmissionMargin, admittedLast, expired);
    }
}
