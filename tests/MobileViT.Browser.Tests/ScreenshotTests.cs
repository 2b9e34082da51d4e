using MobileViT.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace MobileViT.Browser.Tests;

/// <summary>
/// Takes the screenshots that docs/ and the README show: the page after classifying a photo, at desktop and phone width.
/// They replace the tracked files only with MOBILEVIT_WRITE_SCREENSHOTS=1 (<see cref="TestPhotos.ScreenshotDirectory"/>).
/// </summary>
[Collection(WebPageCollection.Name)]
public sealed class ScreenshotTests(WebPageFixture fixture)
{
    [Theory]
    [InlineData("web-page-desktop.png", 1280, 900)]
    [InlineData("web-page-phone.png", 390, 844)]
    public async Task The_page_after_classifying_a_photo(string file, int width, int height)
    {
        var (page, _) = await fixture.OpenPageAsync(width, height);
        await page.Locator("#file-input").SetInputFilesAsync(TestPhotos.Cat);
        var crop = page.Locator("#crop-image");
        await Expect(crop).ToBeVisibleAsync();
        await crop.EvaluateAsync("img => img.decode()");
        await page.Locator("#original-image").EvaluateAsync("img => img.decode()");
        await Expect(page.Locator("#live-models [data-stat=p50]").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("ms$"));

        Directory.CreateDirectory(TestPhotos.ScreenshotDirectory);
        var path = Path.Combine(TestPhotos.ScreenshotDirectory, file);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });

        Assert.True(new FileInfo(path).Length > 10_000);
        await page.Context.CloseAsync();
    }
}
