using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace MobileViT.Inference.Models;

/// <summary>
/// Runs work on a thread of its own at a lower scheduling priority, so that it uses the CPU the threads serving requests
/// leave: a version loading and warming beside the serving one. On Linux either <c>SCHED_IDLE</c> (<paramref
/// name="idle"/>: it runs only when no other thread wants the core; nice +10 where the policy is refused) or nice +10;
/// elsewhere as is. The thread is never given back its priority (an unprivileged thread cannot raise it again), so it
/// runs that work only and ends; threads it starts inherit its priority, which is why whatever serves (the batcher's
/// workers, ONNX Runtime's own thread pools) must not be started on it.
/// </summary>
internal static partial class LowPriorityThread
{
    /// <summary>How much lower without <c>SCHED_IDLE</c>: a nice-0 thread gets about ten times its share of a contended core.</summary>
    public const int Nice = 10;

    /// <summary>Linux's <c>SCHED_IDLE</c> policy, from <c>sched.h</c>.</summary>
    public const int SchedIdle = 5;

    /// <summary>Runs <paramref name="work"/> to completion on a new low-priority thread; blocks the caller meanwhile and rethrows what it throws.</summary>
    public static T Run<T>(string name, bool idle, Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            Lower(idle);
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private static unsafe void Lower(bool idle)
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            // Both act on the calling thread alone: pid 0 of sched_setscheduler is the caller, and a nice value
            // belongs to a thread (PRIO_PROCESS with a thread id).
            var parameter = 0;
            if (idle && SetScheduler(0, SchedIdle, &parameter) == 0)
                return;
            SetPriority(0, GetThreadId(), Nice);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: the work runs at the usual priority.
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "sched_setscheduler")]
    private static unsafe partial int SetScheduler(int pid, int policy, int* param);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
