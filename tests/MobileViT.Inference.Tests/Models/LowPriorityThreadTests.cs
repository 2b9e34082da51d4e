using MobileViT.Inference.Models;

namespace MobileViT.Inference.Tests.Models;

/// <summary>The scheduling a loading version's thread gets, read back from the kernel (<c>/proc/thread-self/stat</c>).</summary>
public sealed class LowPriorityThreadTests
{
    [Fact]
    public void Idle_work_runs_under_SCHED_IDLE_on_its_own_thread_and_the_caller_keeps_its_policy()
    {
        Assert.True(OperatingSystem.IsLinux(), "the service's loading priority is Linux scheduling");
        var before = Scheduling();

        var inside = LowPriorityThread.Run("test-idle", idle: true, Scheduling);

        Assert.Equal(LowPriorityThread.SchedIdle, inside.Policy);
        Assert.NotEqual(before.ManagedThread, inside.ManagedThread);
        Assert.Equal(before, Scheduling());
    }

    [Fact]
    public void Low_work_runs_at_nice_10_under_the_usual_policy()
    {
        var inside = LowPriorityThread.Run("test-low", idle: false, Scheduling);

        Assert.Equal((0, LowPriorityThread.Nice), (inside.Policy, inside.Nice));
    }

    [Fact]
    public void What_the_work_throws_reaches_the_caller()
    {
        var thrown = Assert.Throws<InvalidOperationException>(() => LowPriorityThread.Run<int>("test-throw", idle: true, () => throw new InvalidOperationException("from the loader")));

        Assert.Equal("from the loader", thrown.Message);
    }

    private static (int Policy, int Nice, int ManagedThread) Scheduling()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        // Fields after the command name (which may hold spaces) start at field 3, the state.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[41 - 3]), int.Parse(fields[19 - 3]), Environment.CurrentManagedThreadId);
    }
}
