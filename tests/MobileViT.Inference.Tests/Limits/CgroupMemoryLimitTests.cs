using MobileViT.Inference.Limits;

namespace MobileViT.Inference.Tests.Limits;

/// <summary>The cgroup reader on directories laid out as /proc and /sys are in containers and on hosts.</summary>
public sealed class CgroupMemoryLimitTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    private void File(string path, string text)
    {
        var full = Path.Combine(_root.Path, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, text);
    }

    [Fact]
    public void A_cgroup_v2_container_reads_memory_max_at_its_root()
    {
        File("proc/self/cgroup", "0::/\n");
        File("proc/self/mountinfo", "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n");
        File("sys/fs/cgroup/memory.max", "2147483648\n");

        Assert.Equal(2147483648, CgroupMemoryLimit.Read(_root.Path));
    }

    [Fact]
    public void Max_means_no_limit()
    {
        File("proc/self/cgroup", "0::/\n");
        File("proc/self/mountinfo", "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n");
        File("sys/fs/cgroup/memory.max", "max\n");

        Assert.Null(CgroupMemoryLimit.Read(_root.Path));
    }

    [Fact]
    public void On_a_v2_host_the_smallest_limit_along_the_path_to_the_root_binds()
    {
        File("proc/self/cgroup", "0::/kubepods/pod1/container1\n");
        File("proc/self/mountinfo", "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n");
        File("sys/fs/cgroup/kubepods/pod1/container1/memory.max", "max\n");
        File("sys/fs/cgroup/kubepods/pod1/memory.max", "1073741824\n");
        File("sys/fs/cgroup/kubepods/memory.max", "8589934592\n");

        Assert.Equal(1073741824, CgroupMemoryLimit.Read(_root.Path));
    }

    [Fact]
    public void A_v1_memory_hierarchy_is_read_through_its_mount_and_unlimited_is_no_limit()
    {
        File("proc/self/cgroup", "9:name=systemd:/\n4:memory:/process_api/abc\n0::/\n");
        File("proc/self/mountinfo",
            "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
        File("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        File("sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", "9223372036854771712\n");
        File("sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes", "2147483648\n");

        Assert.Equal(2147483648, CgroupMemoryLimit.Read(_root.Path));
    }

    [Fact]
    public void A_v1_container_sees_its_own_cgroup_as_the_mount_root()
    {
        File("proc/self/cgroup", "4:memory:/docker/0123abcd\n");
        File("proc/self/mountinfo", "34 30 0:31 /docker/0123abcd /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n");
        File("sys/fs/cgroup/memory/memory.limit_in_bytes", "536870912\n");

        Assert.Equal(536870912, CgroupMemoryLimit.Read(_root.Path));
    }

    [Fact]
    public void Without_cgroup_files_there_is_no_limit()
    {
        Assert.Null(CgroupMemoryLimit.Read(_root.Path));
    }

    public void Dispose() => _root.Dispose();
}
