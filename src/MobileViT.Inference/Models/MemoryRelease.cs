using System.Runtime.InteropServices;

namespace MobileViT.Inference.Models;

/// <summary>
/// Returns an unloaded version's memory to the operating system: its pinned tensor buffers and pooled input buffers
/// are freed by a full collection (a background one: requests keep being served meanwhile, where a blocking compacting
/// collection would pause every thread), and ONNX Runtime's arenas, already freed to glibc, are handed back by
/// <c>malloc_trim</c>: glibc otherwise keeps freed pages in its own arenas, and RSS ratchets up across load/unload cycles.
/// </summary>
internal static partial class MemoryRelease
{
    public static void AfterUnload()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
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
