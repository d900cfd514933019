"""The officer's mobile page: HTML, CSS, JavaScript and the messages file, served as they are."""
