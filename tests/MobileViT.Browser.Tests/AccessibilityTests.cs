using Deque.AxeCore.Playwright;
using MobileViT.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace MobileViT.Browser.Tests;

[Collection(WebPageCollection.Name)]
public sealed class AccessibilityTests(WebPageFixture fixture)
{
    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task Axe_finds_no_serious_or_critical_violations_with_a_result_error_and_live_panel_on_show(int width, int height)
    {
        var (page, _) = await fixture.OpenPageAsync(width, height);
        await page.Locator("#file-input").SetInputFilesAsync(TestPhotos.Cat);
        await Expect(page.Locator("#crop-image")).ToBeVisibleAsync();
        await Expect(page.Locator("#live-models .live-model")).ToHaveCountAsync(1);

        var withResult = await page.RunAxe();
        await page.Locator("#file-input").SetInputFilesAsync(new Microsoft.Playwright.FilePayload
        {
            Name = "three-bytes.bin", MimeType = "application/octet-stream", Buffer = [1, 2, 3],
        });
        await Expect(page.Locator("#error")).ToBeVisibleAsync();
        var withError = await page.RunAxe();

        var serious = withResult.Violations.Concat(withError.Violations)
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")
            .Distinct()
            .ToList();
        Assert.True(serious.Count == 0, string.Join(Environment.NewLine, serious));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_file_chooser_is_reached_and_opened_with_the_keyboard()
    {
        var (page, _) = await fixture.OpenPageAsync();
        var chooser = page.WaitForFileChooserAsync();

        await page.Locator("#choose-button").FocusAsync();
        await Expect(page.Locator("#choose-button")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await (await chooser).SetFilesAsync(TestPhotos.Cat);
        await Expect(page.Locator("#predictions li").First).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
