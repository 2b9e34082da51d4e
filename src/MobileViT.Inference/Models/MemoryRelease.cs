using System.Runtime.InteropServices;

namespace MobileViT.Inference.Models;

/// <summary>
/// Keeps memory from ratcheting up across load/unload cycles. glibc raises its mmap threshold to the size of the
/// largest mmap-ed block freed so far (up to 32 MiB), so after the first session is disposed, the large buffers of the
/// next sessions come from its heap arenas instead, where they fragment and stay: RSS then climbs with every reload,
/// though nothing leaks. A fixed threshold (<see cref="Configure"/>) keeps blocks of 4 MiB and more on their own
/// mappings, given back when freed, so an unload returns its sessions' weights and buffers at once. The arenas' free
/// pages go back with <c>malloc_trim</c> (<see cref="TrimNativeHeap"/>), which the service runs with its compacting
/// collection once requests are quiet (<see cref="Limits.RequestMemoryReclaimer"/>): it holds each arena's lock while it
/// walks it, stalling the threads serving requests that allocate meanwhile.
/// </summary>
internal static partial class MemoryRelease
{
    /// <summary>glibc's <c>M_MMAP_THRESHOLD</c> parameter of <c>mallopt</c>; setting it also turns the dynamic threshold off.</summary>
    private const int MmapThresholdParameter = -3;

    /// <summary>Blocks this large and larger get mappings of their own: weights and session buffers, not a request's small buffers.</summary>
    public const int MmapThresholdBytes = 4 << 20;

    /// <summary>Fixes glibc's mmap threshold; called once before models load. Elsewhere than glibc, nothing.</summary>
    public static void Configure()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            MallOpt(MmapThresholdParameter, MmapThresholdBytes);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc.
        }
    }

    /// <summary>Returns the free pages of glibc's heap arenas to the system; elsewhere than glibc, nothing.</summary>
    public static void TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): nothing to trim.
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
