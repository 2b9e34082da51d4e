using Microsoft.Playwright;

namespace MobileViT.Browser.Tests.Infrastructure;

/// <summary>
/// The real service (synthetic MobileViT-XXS named "tiny", the default model) on a loopback port, and one Chromium
/// shared by the browser tests; each test opens its own context and page.
/// </summary>
public sealed class WebPageFixture : IAsyncLifetime
{
    public const string ModelName = "tiny";

    public RunningService Service { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel(ModelName))
        {
            ["MobileViT:Limits:MaxImageBytes"] = "2000000",
        });
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await DebianChromium.LaunchAsync(Playwright);
    }

    /// <summary>
    /// A fresh page at the service's <c>/</c>, with requests to any other host recorded and refused. With
    /// <paramref name="bypassContentSecurityPolicy"/> the page's own policy does not stop such requests first, so the
    /// recorder sees every one the page would make.
    /// </summary>
    public async Task<(IPage Page, OffHostRequestRecorder OffHost)> OpenPageAsync(int width = 1280, int height = 900,
        bool bypassContentSecurityPolicy = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = Service.BaseAddress.ToString(),
            BypassCSP = bypassContentSecurityPolicy,
        });
        var recorder = await OffHostRequestRecorder.AttachAsync(context, Service.BaseAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        return (page, recorder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Service is not null)
            await Service.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WebPageCollection : ICollectionFixture<WebPageFixture>
{
    public const string Name = "web page";
}
