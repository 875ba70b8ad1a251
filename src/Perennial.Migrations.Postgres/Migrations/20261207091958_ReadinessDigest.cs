using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ReadinessDigest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ReadinessDigest",
                table: "Memberships",
                type: "boolean",
                nullable: false,
                defaultValue: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ReadinessDigest",
                table: "Memberships");
        }
    }
}
