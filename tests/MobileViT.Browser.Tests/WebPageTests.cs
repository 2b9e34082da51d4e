using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MobileViT.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace MobileViT.Browser.Tests;

[Collection(WebPageCollection.Name)]
public sealed class WebPageTests(WebPageFixture fixture)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_page_loads_and_classifies_without_any_request_to_another_host(bool bypassContentSecurityPolicy)
    {
        var (page, offHost) = await fixture.OpenPageAsync(bypassContentSecurityPolicy: bypassContentSecurityPolicy);
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                consoleErrors.Add(message.Text);
        };
        await page.ReloadAsync();

        await Expect(page.Locator("#model-select")).ToHaveValueAsync(WebPageFixture.ModelName);
        await page.Locator("#file-input").SetInputFilesAsync(TestPhotos.Cat);
        await Expect(page.Locator("#predictions li").First).ToBeVisibleAsync();
        await Expect(page.Locator("#live-models [data-stat=total]").First).ToHaveAttributeAsync("data-value", new Regex(@"\d+"));

        Assert.Empty(offHost.Blocked);
        // A Content-Security-Policy violation (something the page tried to load from elsewhere, or inline) is logged here.
        Assert.Empty(consoleErrors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_photo_chosen_before_the_model_list_has_arrived_waits_for_it_and_classifies_with_the_real_model()
    {
        var (page, _) = await fixture.OpenPageAsync();
        var release = new TaskCompletionSource();
        await page.RouteAsync("**/v1/models", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });
        await page.ReloadAsync();

        // Chosen while the page still shows the "Loading models…" placeholder, which is no model's name.
        await page.Locator("#file-input").SetInputFilesAsync(TestPhotos.Cat);
        release.SetResult();

        await Expect(page.Locator("#predictions li").First).ToBeVisibleAsync();
        await Expect(page.Locator("#crop-image")).ToBeVisibleAsync();
        await Expect(page.Locator("#error")).ToBeHiddenAsync();
        await Expect(page.Locator("#result-model")).ToContainTextAsync(WebPageFixture.ModelName);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_photo_chosen_through_the_file_input_shows_the_top1_label_and_score_that_the_api_returns()
    {
        var photo = await File.ReadAllBytesAsync(TestPhotos.Cat);
        using var body = ImageContent.Of(photo);
        using var response = await fixture.Service.Client.PostAsync("v1/classify?topK=5", body);
        response.EnsureSuccessStatusCode();
        var top1 = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions")[0];
        var label = top1.GetProperty("label").GetString()!;
        var score = top1.GetProperty("score").GetDouble();
        var (page, _) = await fixture.OpenPageAsync();

        await Expect(page.Locator("#model-select")).ToHaveValueAsync(WebPageFixture.ModelName);
        await page.Locator("#file-input").SetInputFilesAsync(TestPhotos.Cat);

        var first = page.Locator("#predictions li").First;
        await Expect(first).ToHaveAttributeAsync("data-label", label);
        Assert.Equal(score, double.Parse((await first.GetAttributeAsync("data-score"))!, CultureInfo.InvariantCulture), 6);
        await Expect(first.Locator(".prediction-label")).ToContainTextAsync(label);
        await Expect(first.Locator(".prediction-score")).ToHaveTextAsync((score * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%");
        await Expect(page.Locator("#predictions li")).ToHaveCountAsync(5);
        await Expect(page.Locator("#timing-batch")).ToHaveTextAsync(new Regex(@"^\d+$"));
        await Expect(page.Locator("#timing-inference")).ToHaveTextAsync(new Regex(@"^\d+(\.\d+)? ms$"));
        await Expect(page.Locator("#timing-queue")).ToHaveTextAsync(new Regex(@"^\d+(\.\d+)? ms$"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_photo_is_sent_once_and_its_crop_comes_back_with_the_predictions()
    {
        var (page, _) = await fixture.OpenPageAsync();
        await Expect(page.Locator("#model-select")).ToHaveValueAsync(WebPageFixture.ModelName);
        var posts = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST")
                lock (posts)
                    posts.Add(new Uri(request.Url).PathAndQuery);
        };

        await page.Locator("#file-input").SetInputFilesAsync(TestPhotos.Cat);
        await Expect(page.Locator("#predictions li").First).ToBeVisibleAsync();
        var crop = page.Locator("#crop-image");
        await Expect(crop).ToHaveAttributeAsync("src", new Regex("^data:image/png;base64,"));
        await crop.EvaluateAsync("img => img.decode()");

        lock (posts)
            Assert.Equal($"/v1/models/{WebPageFixture.ModelName}/classify?topK=5&include=crop", Assert.Single(posts));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_crop_the_model_saw_is_shown_at_its_natural_256x256()
    {
        var (page, _) = await fixture.OpenPageAsync();

        await page.Locator("#file-input").SetInputFilesAsync(TestPhotos.Cat);

        var crop = page.Locator("#crop-image");
        await Expect(crop).ToBeVisibleAsync();
        await crop.EvaluateAsync("img => img.decode()");
        Assert.Equal(256, await crop.EvaluateAsync<int>("img => img.naturalWidth"));
        Assert.Equal(256, await crop.EvaluateAsync<int>("img => img.naturalHeight"));
        await Expect(page.Locator("#crop-caption")).ToContainTextAsync("256×256");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_gives_the_problem_title_and_detail()
    {
        var (page, _) = await fixture.OpenPageAsync();
        await Expect(page.Locator("#model-select")).ToHaveValueAsync(WebPageFixture.ModelName);

        await page.Locator("#file-input").SetInputFilesAsync(new FilePayload
        {
            Name = "notes.txt",
            MimeType = "text/plain",
            Buffer = "These are notes, not a photo."u8.ToArray(),
        });

        var error = page.Locator("#error");
        await Expect(error).ToBeVisibleAsync();
        await Expect(page.Locator("#error-title")).ToHaveTextAsync("Invalid image");
        await Expect(page.Locator("#error-detail")).ToContainTextAsync("not a supported image format");
        await Expect(error).Not.ToContainTextAsync("Exception");
        await Expect(error).Not.ToContainTextAsync("{");
        await Expect(page.Locator("#result")).ToBeHiddenAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_synthetic_model_is_announced_with_a_warning()
    {
        var (page, _) = await fixture.OpenPageAsync();

        var warning = page.Locator("#synthetic-warning");
        await Expect(warning).ToBeVisibleAsync();
        await Expect(warning).ToContainTextAsync("random weights");
        await Expect(warning).ToContainTextAsync(WebPageFixture.ModelName);
        await Expect(page.Locator("#fact-provider")).ToHaveTextAsync("CPU");
        await Expect(page.Locator("#fact-preprocessing")).ToContainTextAsync("crop 256×256");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_live_panel_request_count_rises_after_requests_are_sent()
    {
        var (page, _) = await fixture.OpenPageAsync();
        var total = page.Locator($"#live-models [data-model='{WebPageFixture.ModelName}'] [data-stat=total]");
        await Expect(total).ToHaveAttributeAsync("data-value", new Regex(@"^\d+$"));
        var before = long.Parse((await total.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);

        const int sent = 3;
        var photo = await File.ReadAllBytesAsync(TestPhotos.Cat);
        for (var i = 0; i < sent; i++)
        {
            using var body = ImageContent.Of(photo);
            using var response = await fixture.Service.Client.PostAsync("v1/classify", body);
            response.EnsureSuccessStatusCode();
        }

        await page.WaitForFunctionAsync("([el, atLeast]) => Number(el.dataset.value) >= atLeast",
            new object[] { await total.ElementHandleAsync(), before + sent });
        await Expect(page.Locator($"#live-models [data-model='{WebPageFixture.ModelName}'] [data-stat=p50]")).ToHaveTextAsync(new Regex(@"ms$"));
        await Expect(page.Locator($"#live-models [data-model='{WebPageFixture.ModelName}'] .instances li")).ToHaveCountAsync(2);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_page_links_to_swagger_which_is_served_at_slash_swagger()
    {
        var (page, _) = await fixture.OpenPageAsync();

        await page.Locator("#swagger-link").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/swagger"));
        await Expect(page.Locator("#swagger-ui")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
