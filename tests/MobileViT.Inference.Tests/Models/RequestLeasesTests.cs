using MobileViT.Inference.Models;

namespace MobileViT.Inference.Tests.Models;

/// <summary>The hold admitted requests keep on a version, which decides when a version taken out of service may drain.</summary>
public sealed class RequestLeasesTests
{
    [Fact]
    public async Task Retiring_completes_only_when_every_lease_taken_before_is_released()
    {
        var leases = new RequestLeases();
        Assert.True(leases.TryAcquire());
        Assert.True(leases.TryAcquire());

        var retired = leases.RetireAsync();
        Assert.False(retired.IsCompleted);
        leases.Release();
        Assert.False(retired.IsCompleted);
        leases.Release();

        await retired.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, leases.Held);
    }

    [Fact]
    public void After_retiring_no_lease_is_given_and_an_idle_version_retires_at_once()
    {
        var leases = new RequestLeases();

        Assert.True(leases.RetireAsync().IsCompletedSuccessfully);
        Assert.False(leases.TryAcquire());
        Assert.Equal(0, leases.Held);
    }

    [Fact]
    public async Task Racing_acquirers_and_a_retirement_never_leave_a_lease_behind_a_completed_retirement()
    {
        for (var round = 0; round < 200; round++)
        {
            var leases = new RequestLeases();
            using var start = new Barrier(5);
            var acquired = new int[4];
            var acquirers = Enumerable.Range(0, 4).Select(i => Task.Run(() =>
            {
                start.SignalAndWait();
                if (!leases.TryAcquire())
                    return;
                Interlocked.Increment(ref acquired[i]);
                leases.Release();
            })).ToArray();
            start.SignalAndWait();
            var retired = leases.RetireAsync();
            await Task.WhenAll(acquirers);
            await retired.WaitAsync(TimeSpan.FromSeconds(5));
            // Once retired, whatever was admitted has been released, and nothing more is admitted.
            Assert.Equal(0, leases.Held);
            Assert.False(leases.TryAcquire());
        }
    }
}
