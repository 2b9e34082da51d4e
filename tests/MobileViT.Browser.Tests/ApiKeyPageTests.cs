using Microsoft.Playwright;
using MobileViT.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace MobileViT.Browser.Tests;

/// <summary>The page against a service that requires API keys: it loads without one, and its API calls carry the key the user types.</summary>
public sealed class ApiKeyPageTests : IAsyncLifetime
{
    private const string Key = "key-page-5e0c9b71";
    private RunningService _service = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel(WebPageFixture.ModelName))
        {
            ["MobileViT:Auth:ApiKeys:0"] = "page:" + Key,
        });
        _playwright = await Playwright.CreateAsync();
        _browser = await DebianChromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task The_page_asks_for_the_key_and_classifies_once_it_is_entered_and_keeps_it_for_the_tab()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _service.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var authorizations = new List<string?>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/v1/", StringComparison.Ordinal))
                authorizations.Add(request.Headers.GetValueOrDefault("authorization"));
        };

        var loaded = await page.GotoAsync("/");
        Assert.Equal(200, loaded!.Status);
        await Expect(page.Locator("#error")).ToBeVisibleAsync();
        await Expect(page.Locator("#error-detail")).ToContainTextAsync("API key");
        // Told apart by the status code of the stats request, 401, not by any message text.
        await Expect(page.Locator("#live-status")).ToHaveTextAsync("stats need an API key");

        await page.GetByLabel("API key").FillAsync(Key);
        await page.GetByLabel("API key").PressAsync("Tab");
        await Expect(page.Locator("#model-select")).ToHaveValueAsync(WebPageFixture.ModelName);
        await page.Locator("#file-input").SetInputFilesAsync(TestPhotos.Cat);
        await Expect(page.Locator("#predictions li").First).ToBeVisibleAsync();
        await Expect(page.Locator("#error")).ToBeHiddenAsync();

        // Reloaded, the tab still has the key: the models load without typing it again.
        await page.ReloadAsync();
        await Expect(page.Locator("#model-select")).ToHaveValueAsync(WebPageFixture.ModelName);
        await Expect(page.Locator("#live-models [data-stat=total]").First).ToBeVisibleAsync();

        Assert.Contains(null, authorizations);
        Assert.Contains("Bearer " + Key, authorizations);
        await context.CloseAsync();
    }
}
