using MobileViT.Inference.Models.Versions;

namespace MobileViT.Inference.Tests.Models;

public sealed class VersionPolicyTests
{
    private static readonly int[] Available = [3, 1, 7, 2];

    [Fact]
    public void Latest_n_selects_the_n_newest_and_the_default_is_the_newest_alone()
    {
        Assert.Equal([7], VersionPolicy.Default.Select(Available));
        Assert.Equal([3, 7], new VersionPolicy.Latest(2).Select(Available));
        Assert.Equal([1, 2, 3, 7], new VersionPolicy.Latest(10).Select(Available));
        Assert.Empty(new VersionPolicy.Latest(1).Select([]));
    }

    [Fact]
    public void All_selects_every_version_and_specific_those_named_that_exist()
    {
        Assert.Equal([1, 2, 3, 7], new VersionPolicy.All().Select(Available));
        Assert.Equal([2, 7], new VersionPolicy.Specific(new HashSet<int> { 7, 2, 9 }).Select(Available));
        Assert.Equal(new VersionPolicy.Specific(new HashSet<int> { 1, 2 }), new VersionPolicy.Specific(new HashSet<int> { 2, 1 }));
        Assert.Equal("specific [1, 2]", new VersionPolicy.Specific(new HashSet<int> { 2, 1 }).ToString());
    }

    [Fact]
    public void A_shadow_version_is_loaded_beside_the_policys_versions()
    {
        var config = new ServingConfig(VersionPolicy.Default, ShadowVersion: 3);

        Assert.Equal([3, 7], config.Select(Available));
        Assert.Equal([7], (config with { ShadowVersion = 9 }).Select(Available));
    }
}
