using Microsoft.Playwright;

namespace MobileViT.Browser.Tests.Infrastructure;

/// <summary>
/// Debian's <c>chromium</c> package driven by Playwright's Node driver (shipped in the NuGet package): no browser is
/// downloaded. scripts/test.sh installs the package where it is missing.
/// </summary>
public static class DebianChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// Without the background-networking flags Chromium keeps trying to reach update and sync hosts, which a closed
    /// network refuses; QUIC and the GPU are off for the same kind of reason.
    /// </summary>
    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's package (apt-get install -y chromium), as scripts/test.sh does.");
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true, Args = Flags });
    }
}
