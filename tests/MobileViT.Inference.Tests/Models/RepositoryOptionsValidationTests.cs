using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models.Repository;

namespace MobileViT.Inference.Tests.Models;

/// <summary>The loading priority is checked at start-up, the error naming its key and the values it takes.</summary>
public sealed class RepositoryOptionsValidationTests
{
    [Theory]
    [InlineData("idle")]
    [InlineData("LOW")]
    [InlineData("normal")]
    public void Each_loading_priority_is_accepted(string priority)
    {
        var options = new MobileViTOptions { Repository = { LoadPriority = priority } };

        Assert.True(new RepositoryOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void The_default_loading_priority_is_idle()
    {
        Assert.Equal(RepositoryOptions.IdlePriority, new RepositoryOptions().LoadPriority);
    }

    [Fact]
    public void An_unknown_loading_priority_is_an_error_naming_the_setting()
    {
        var options = new MobileViTOptions { Repository = { LoadPriority = "realtime" } };

        var result = new RepositoryOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("MobileViT__Repository__LoadPriority must be idle, low or normal (was 'realtime')", result.FailureMessage);
    }
}
