using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace MobileViT.Browser.Tests.Infrastructure;

/// <summary>Lets a browser context reach the service only: every request to another origin is recorded and aborted.</summary>
public sealed class OffHostRequestRecorder
{
    private readonly ConcurrentQueue<string> _blocked = new();
    private readonly Uri _service;

    private OffHostRequestRecorder(Uri service) => _service = service;

    public IReadOnlyCollection<string> Blocked => _blocked.ToArray();

    public static async Task<OffHostRequestRecorder> AttachAsync(IBrowserContext context, Uri service)
    {
        var recorder = new OffHostRequestRecorder(service);
        await context.RouteAsync("**/*", recorder.HandleAsync);
        return recorder;
    }

    private async Task HandleAsync(IRoute route)
    {
        var url = route.Request.Url;
        if (Uri.TryCreate(url, UriKind.Absolute, out var target) && target.Scheme is "blob" or "data")
        {
            await route.ContinueAsync();
            return;
        }
        if (target is not null && target.Scheme == _service.Scheme && target.Host == _service.Host && target.Port == _service.Port)
        {
            await route.ContinueAsync();
            return;
        }
        _blocked.Enqueue(url);
        await route.AbortAsync("blockedbyclient");
    }
}
