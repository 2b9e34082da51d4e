using System.Runtime.InteropServices;

namespace MobileViT.Inference.Models;

/// <summary>
/// Keeps memory from ratcheting up across load/unload cycles. glibc raises its mmap threshold to the size of the
/// largest mmap-ed block freed so far (up to 32 MiB), so after the first session is disposed, the large buffers of the
/// next sessions come from its heap arenas instead, where they fragment and stay: RSS then climbs with every reload,
/// though nothing leaks. A fixed threshold (<see cref="Configure"/>) keeps blocks of 4 MiB and more on their own
/// mappings, given back when freed. After an unload (<see cref="AfterUnload"/>) a compacting collection returns the
/// managed heap's free space and <c>malloc_trim</c> the arenas' free pages.
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

    public static void AfterUnload()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
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
