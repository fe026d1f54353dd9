
ı
"tiny.double	container0