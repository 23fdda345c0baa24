// title: 导入历史 | Load history
// description: 每次导入一行：数据截至日期、开始时间、操作人、方式、文件，按数据截至日期和开始时间排序。
// kind: table
MATCH (l:Load)
RETURN l.id AS id, l.as_of AS as_of, l.started_at AS started, l.user AS user, l.mode AS mode,
       l.files AS files, l.counts AS counts, l.seconds AS seconds
ORDER BY as_of, started
