using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Tests.Limits;

public sealed class RequestMemoryBudgetTests
{
    [Fact]
    public void Reservations_up_to_the_capacity_are_granted_and_the_next_is_refused_without_taking_anything()
    {
        var budget = new RequestMemoryBudget(1000);
        using var first = budget.Lease();
        using var second = budget.Lease();
        first.Reserve(600);
        second.Reserve(400);

        var refused = Assert.Throws<MemoryBudgetExceededException>(() => second.Reserve(1));

        Assert.Equal(ErrorKind.OverMemoryBudget, refused.Kind);
        Assert.Equal(RequestMemoryBudget.RetryAfter, refused.RetryAfter);
        Assert.Equal(1000, budget.Held);
        Assert.Equal(400, second.Held);
        Assert.Equal(1, budget.Refusals);
    }

    [Fact]
    public void Releasing_and_disposing_give_the_bytes_back_once()
    {
        var budget = new RequestMemoryBudget(1000);
        var lease = budget.Lease();
        lease.Reserve(700);
        lease.Release(200);
        Assert.Equal(500, budget.Held);

        lease.Dispose();
        lease.Dispose();
        lease.Release(100);

        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public void A_request_that_alone_needs_more_than_the_capacity_is_too_large_not_refused_for_now()
    {
        var budget = new RequestMemoryBudget(1000);
        using var lease = budget.Lease();
        lease.Reserve(900);

        var tooLarge = Assert.Throws<RequestTooLargeException>(() => lease.Reserve(101));

        Assert.Equal(ErrorKind.PayloadTooLarge, tooLarge.Kind);
        Assert.Equal(RequestTooLargeException.TooLargeCode, tooLarge.Code);
        Assert.Equal(0, budget.Refusals);
    }

    [Fact]
    public void The_parts_of_a_request_count_towards_its_total_and_go_back_on_their_own()
    {
        var budget = new RequestMemoryBudget(1000);
        var request = budget.Lease();
        var first = request.Part();
        var second = request.Part();
        first.Reserve(500);
        second.Reserve(400);
        Assert.Equal(900, request.RequestTotal);

        Assert.Throws<RequestTooLargeException>(() => second.Reserve(101));
        first.Dispose();

        Assert.Equal(400, request.RequestTotal);
        Assert.Equal(400, budget.Held);
        second.Reserve(500);
        Assert.Equal(900, budget.Held);
    }

    [Fact]
    public void Reserving_nothing_or_less_is_free()
    {
        var budget = new RequestMemoryBudget(10);
        using var lease = budget.Lease();
        lease.Reserve(0);
        lease.Reserve(-5);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public async Task Concurrent_reservations_never_take_the_total_over_the_capacity()
    {
        var budget = new RequestMemoryBudget(10_000);
        var peak = 0L;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                using var lease = budget.Lease();
                try
                {
                    lease.Reserve(3000);
                    Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), budget.Held));
                }
                catch (MemoryBudgetExceededException)
                {
                }
            }
        })));

        Assert.InRange(peak, 3000, 10_000);
        Assert.Equal(0, budget.Held);
    }
}
