module github.com/conformhttp/conform

go 1.26
