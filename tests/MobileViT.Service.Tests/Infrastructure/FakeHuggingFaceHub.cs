using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MobileViT.Service.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on loopback with the Hugging Face hub's download layout,
/// <c>/{owner}/{repo}/resolve/{revision}/{path}</c>, serving repositories from local directories.
/// </summary>
public sealed class FakeHuggingFaceHub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeHuggingFaceHub(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    /// <summary>Repository (owner/name) to local directory.</summary>
    public ConcurrentDictionary<string, string> Repositories { get; } = new();

    /// <summary>Aliases inside a repository: requested path to the file actually served.</summary>
    public ConcurrentDictionary<string, string> Aliases { get; } = new();

    /// <summary>Files sent half-way and then cut off, to exercise interrupted downloads.</summary>
    public ConcurrentBag<string> Truncated { get; } = [];

    public ConcurrentQueue<(string Path, string? Authorization)> Requests { get; } = new();

    public static async Task<FakeHuggingFaceHub> StartAsync()
    {
        // An empty content root: the service's appsettings.json beside the tests must not configure this server.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Directory.CreateTempSubdirectory("fake-hub-").FullName });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeHuggingFaceHub? hub = null;
        app.MapGet("/{owner}/{repo}/resolve/{revision}/{**path}", async (HttpContext context, string owner, string repo, string revision, string path) =>
        {
            hub!.Requests.Enqueue((context.Request.Path.Value!, context.Request.Headers.Authorization.FirstOrDefault()));
            if (!hub.Repositories.TryGetValue($"{owner}/{repo}", out var directory) || revision != "main")
                return Results.NotFound();
            var file = Path.Combine(directory, hub.Aliases.GetValueOrDefault(path, path));
            if (!File.Exists(file))
                return Results.NotFound();
            var bytes = await File.ReadAllBytesAsync(file);
            if (hub.Truncated.Contains(path))
            {
                context.Response.ContentLength = bytes.Length;
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return Results.Empty;
            }
            return Results.Bytes(bytes, "application/octet-stream");
        });
        await app.StartAsync();
        hub = new FakeHuggingFaceHub(app, app.Urls.First());
        return hub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
