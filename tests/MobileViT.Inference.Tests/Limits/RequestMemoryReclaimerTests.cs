using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Limits;

namespace MobileViT.Inference.Tests.Limits;

public sealed class RequestMemoryReclaimerTests
{
    private readonly FakeTimeProvider _clock = new();
    private int _trims;

    private RequestMemoryBudget Budget(out RequestMemoryReclaimer reclaimer)
    {
        reclaimer = new RequestMemoryReclaimer(_clock, trimAfterBytes: 1000, () => _trims++);
        return new RequestMemoryBudget(10_000, reclaimer: reclaimer);
    }

    [Fact]
    public void After_a_burst_that_reached_the_threshold_it_trims_once_the_budget_has_stayed_empty_for_the_quiet_period()
    {
        var budget = Budget(out _);
        var lease = budget.Lease();
        lease.Reserve(1500);
        lease.Dispose();

        AssertTrimsOnceAfterTheQuietPeriod();
    }

    [Fact]
    public void Small_requests_never_trim()
    {
        var budget = Budget(out _);
        for (var i = 0; i < 10; i++)
        {
            using var lease = budget.Lease();
            lease.Reserve(999);
        }
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, _trims);
    }

    [Fact]
    public void A_request_arriving_in_the_quiet_period_postpones_the_trim_until_the_budget_is_empty_again()
    {
        var budget = Budget(out _);
        var burst = budget.Lease();
        burst.Reserve(5000);
        burst.Dispose();
        _clock.Advance(RequestMemoryReclaimer.QuietPeriod / 2);
        var next = budget.Lease();
        next.Reserve(10);

        _clock.Advance(RequestMemoryReclaimer.QuietPeriod);
        Assert.Equal(0, _trims);

        next.Dispose();
        _clock.Advance(RequestMemoryReclaimer.QuietPeriod);
        Assert.Equal(1, _trims);
    }

    [Fact]
    public void An_unloaded_version_is_collected_after_the_quiet_period_when_no_request_holds_memory()
    {
        Budget(out var reclaimer);

        reclaimer.CollectWhenQuiet();

        AssertTrimsOnceAfterTheQuietPeriod();
    }

    [Fact]
    public void An_unloaded_version_is_not_collected_while_requests_are_served_but_once_they_have_been_quiet()
    {
        var budget = Budget(out var reclaimer);
        var serving = budget.Lease();
        serving.Reserve(10);

        reclaimer.CollectWhenQuiet();
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, _trims);

        serving.Dispose();
        _clock.Advance(RequestMemoryReclaimer.QuietPeriod);
        Assert.Equal(1, _trims);
    }

    private void AssertTrimsOnceAfterTheQuietPeriod()
    {
        _clock.Advance(RequestMemoryReclaimer.QuietPeriod - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _trims);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _trims);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, _trims);
    }
}
