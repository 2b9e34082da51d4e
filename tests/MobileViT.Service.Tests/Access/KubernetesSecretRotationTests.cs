using System.Diagnostics;
using System.Net;

namespace MobileViT.Service.Tests.Access;

/// <summary>
/// Rotation the way the kubelet updates a Secret mounted as a directory: the key file is a symlink through
/// <c>..data</c>, itself a symlink to a timestamped directory, and an update writes a new directory and renames a new
/// <c>..data</c> link over the old one. The file's own path never changes; its content does.
/// </summary>
public sealed class KubernetesSecretRotationTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _mount = new();
    private KeyedService _keyed = null!;

    public async Task InitializeAsync()
    {
        WriteVersion("..2026_12_01_10_00_00.1", "reader:key-before-rotation-1");
        Directory.CreateSymbolicLink(Path.Combine(_mount.Path, "..data"), "..2026_12_01_10_00_00.1");
        File.CreateSymbolicLink(Path.Combine(_mount.Path, "api-keys"), "..data/api-keys");
        _keyed = await KeyedService.StartAsync(new Dictionary<string, string> { ["MobileViT:Auth:ApiKeysFile"] = Path.Combine(_mount.Path, "api-keys") });
    }

    public async Task DisposeAsync()
    {
        await _keyed.DisposeAsync();
        _mount.Dispose();
    }

    [Fact]
    public async Task A_secret_update_by_symlink_swap_takes_effect_at_the_next_reload()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("key-before-rotation-1"));

        WriteVersion("..2026_12_01_11_00_00.2", "reader:key-after-rotation-2");
        var next = Path.Combine(_mount.Path, "..data_tmp");
        Directory.CreateSymbolicLink(next, "..2026_12_01_11_00_00.2");
        // rename(2) of the new link over the old one, as the kubelet's atomic writer does (File.Move follows the link).
        using (var rename = Process.Start("mv", ["-T", next, Path.Combine(_mount.Path, "..data")]))
        {
            await rename.WaitForExitAsync();
            Assert.Equal(0, rename.ExitCode);
        }
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("key-before-rotation-1"));

        _keyed.LetReloadIntervalPass();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync("key-after-rotation-2"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync("key-before-rotation-1"));
    }

    private void WriteVersion(string directory, string content)
    {
        Directory.CreateDirectory(Path.Combine(_mount.Path, directory));
        File.WriteAllText(Path.Combine(_mount.Path, directory, "api-keys"), content + "\n");
    }

    private async Task<HttpStatusCode> StatusAsync(string key)
    {
        using var response = await _keyed.SendAsync("GET", "/v1/models", key);
        return response.StatusCode;
    }
}
