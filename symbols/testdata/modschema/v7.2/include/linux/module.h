/*
 * The following license idents are currently accepted as indicating free
 * software modules
 *
 *	"GPL"				[GNU Public License v2]
 *	"GPL v2"			[GNU Public License v2]
 *
 * The following other idents are available
 *
 *	"Proprietary"			[Non free products]
 */
#define MODULE_LICENSE(_license) MODULE_FILE MODULE_INFO(license, _license)
