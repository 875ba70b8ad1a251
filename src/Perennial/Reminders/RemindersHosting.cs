namespace Perennial.Reminders;

public static class RemindersHosting
{
    /// <summary>Reminders with their transports: SMTP from <c>Perennial:Smtp</c>, chat webhooks over HTTP.</summary>
    public static IServiceCollection AddPerennialReminders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() ?? new SmtpOptions());
        var options = new Hosting.PerennialOptions();
        configuration.GetSection(Hosting.PerennialOptions.Section).Bind(options);
        services.AddReminders(new ReminderLinks(options.PublicUri()));
        services.AddScoped<IEmailTransport, SmtpEmailTransport>();
        services.AddScoped<IChatTransport, WebhookChatTransport>();
        services.AddHttpClient(WebhookChatTransport.ClientName, c => c.Timeout = TimeSpan.FromSeconds(15))
            .RemoveAllLoggers();
        return services;
    }
}
