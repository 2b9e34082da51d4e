using System.Runtime;
using System.Runtime.InteropServices;

namespace MobileViT.Inference.Models;

/// <summary>
/// Returns an unloaded version's memory to the operating system: its pinned tensor buffers are on the managed large
/// object heap (compacted once here), and ONNX Runtime's arenas are freed to glibc, which keeps freed pages in its own
/// arenas until <c>malloc_trim</c> asks it to give them back. Without both, RSS ratchets up across load/unload cycles.
/// </summary>
internal static partial class MemoryRelease
{
    public static void AfterUnload()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
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
}
