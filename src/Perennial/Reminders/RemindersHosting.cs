namespace Perennial.Reminders;

public static class RemindersHosting
{
    public const string PublicUrlSetting = "Perennial:PublicUrl";

    /// <summary>Reminders with their transports: SMTP from <c>Perennial:Smtp</c>, chat webhooks over HTTP.</summary>
    public static IServiceCollection AddPerennialReminders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() ?? new SmtpOptions());
        services.AddReminders(new ReminderLinks(PublicUrl(configuration[PublicUrlSetting])));
        services.AddScoped<IEmailTransport, SmtpEmailTransport>();
        services.AddScoped<IChatTransport, WebhookChatTransport>();
        services.AddHttpClient(WebhookChatTransport.ClientName, c => c.Timeout = TimeSpan.FromSeconds(15))
            .RemoveAllLoggers();
        return services;
    }

    internal static Uri PublicUrl(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return ReminderLinks.DefaultPublicUrl;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"Setting {PublicUrlSetting} has the value '{value}'; give the address people open Perennial at, e.g. https://isms.example.com.");
        }

        return uri;
    }
}
