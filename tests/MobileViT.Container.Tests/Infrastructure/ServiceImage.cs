namespace MobileViT.Container.Tests.Infrastructure;

/// <summary>
/// The CPU image built from the repository's Dockerfile by <c>scripts/build-image.sh</c> (BuildKit, host network), once
/// per test run; Docker's layer cache makes it quick when nothing changed. Fails with a clear message when no engine answers.
/// </summary>
public static class ServiceImage
{
    /// <summary>The image's tag; <c>MOBILEVIT_TEST_IMAGE</c> gives another, so runs from several work trees on one engine do not overwrite each other's image.</summary>
    public static string Tag { get; } = Environment.GetEnvironmentVariable("MOBILEVIT_TEST_IMAGE") is { Length: > 0 } tag
        ? tag
        : "mobilevit-service:container-tests";
    private static readonly Lazy<Task> Built = new(BuildAsync);

    public static Task EnsureBuiltAsync() => Built.Value;

    private static async Task BuildAsync()
    {
        await ConfigureForEngineAsync();
        var (exit, output) = await DockerCli.RunAsync("bash", ["scripts/build-image.sh", "cpu", Tag], TimeSpan.FromMinutes(15));
        if (exit != 0)
            throw new InvalidOperationException($"Building the image from the repository's Dockerfile failed (exit {exit}):\n{Tail(output, 6000)}");
    }

    /// <summary>
    /// Tells Testcontainers the engine's API version (older engines, such as Debian's 20.10, refuse the newer version it
    /// asks for) and leaves out its Ryuk reaper image where that cannot be pulled; the tests remove their own containers.
    /// </summary>
    private static async Task ConfigureForEngineAsync()
    {
        (int ExitCode, string Output) version;
        try
        {
            version = await DockerCli.DockerAsync(TimeSpan.FromSeconds(30), "version", "--format", "{{.Server.APIVersion}}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("The docker CLI is not installed. These tests need a Docker engine: run scripts/docker-offline.sh (installs and starts one) or start Docker.", e);
        }
        if (version.ExitCode != 0)
            throw new InvalidOperationException("No Docker engine answers. These tests need one: run scripts/docker-offline.sh engine (installs and starts dockerd) or start Docker.\n" + version.Output.Trim());
        if (Environment.GetEnvironmentVariable("DOCKER_API_VERSION") is null && Version.TryParse(version.Output.Trim(), out var api) && api < new Version(1, 44))
            Environment.SetEnvironmentVariable("DOCKER_API_VERSION", api.ToString());
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED") is null)
            Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
    }

    internal static string Tail(string text, int length) => text.Length <= length ? text : "..." + text[^length..];
}
