using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace MobileViT.Inference.Models;

/// <summary>
/// Runs work on a thread of its own at a lower scheduling priority (nice +10 on Linux; elsewhere as is), so that it uses
/// the CPU the threads serving requests leave: a version loading and warming beside the serving one. The thread is
/// never given back its priority (an unprivileged thread cannot raise it again), so it runs that work only and ends;
/// threads it starts inherit its priority, which is why whatever serves (the batcher's workers, ONNX Runtime's own
/// thread pools) must not be started on it.
/// </summary>
internal static partial class LowPriorityThread
{
    /// <summary>How much lower: a nice-0 thread gets about ten times its share of a contended core.</summary>
    public const int Nice = 10;

    /// <summary>Runs <paramref name="work"/> to completion on a new low-priority thread; blocks the caller meanwhile and rethrows what it throws.</summary>
    public static T Run<T>(string name, Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            Lower();
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

    private static void Lower()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            // On Linux a nice value belongs to a thread: PRIO_PROCESS with a thread id changes that thread alone.
            SetPriority(0, GetThreadId(), Nice);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: the work runs at the usual priority.
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
